/**
 * image-in: camera frames or image files → media/image's ImageUplink (JPEG within the limits and the
 * budget, latest wins, ≤ 2 a second) → RealtimeSession.appendImage, which holds them until the first audio.
 * Thin glue: reads the message, maps errors to done(err), adds the frame counts to the session's status.
 */
import type { Node, NodeAPI, NodeMessageInFlow, NodeStatus } from 'node-red';
import { ImageUplink, SpeechWindow } from './media/image';
import type { ControlMessage } from './node-red/control';
import { imageUplinkSettingsFrom, type ImageInDef } from './node-red/image-settings';
import { withFrameCounts } from './node-red/frame-status';
import { InputTargets } from './node-red/input-targets';
import { registerNodeType } from './node-red/register-type';
import { sessionTexts } from './node-red/texts';

export = function register(RED: NodeAPI): void {
  function ImageIn(this: Node, def: ImageInDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const badImage = () => node.status({ fill: 'red', shape: 'ring', text: sessionTexts(RED)('status.badimage') });
    let sessionStatus: NodeStatus = {};
    const showStatus = () => node.status(withFrameCounts(RED, sessionStatus, uplink.sent, uplink.dropped));
    const uplink = new ImageUplink(imageUplinkSettingsFrom(def), {
      send: (jpeg, tokens) => { const rt = targets.sessions[0]?.realtime; rt?.appendImage(jpeg, tokens); return !!rt; },
      counted: showStatus,
      failed: badImage,
    });
    const targets = new InputTargets(RED, node, [def.session], (s) => { sessionStatus = s; showStatus(); });
    const speech = def.sendWhen === 'speech' ? new SpeechWindow() : undefined;
    const unsubscribe = speech && targets.sessions[0]?.subscribe(speech);

    node.on('input', (msg: NodeMessageInFlow, _send, done) => {
      const m = msg as NodeMessageInFlow & ControlMessage;
      if (m.action !== undefined) return void targets.control(m).then(() => done(), (e: Error) => done(e));
      let refused = true;
      try {
        targets.check('image'); // throws, with the session's cause in the status, when nothing takes input
        refused = false;
        // No one speaking: the frame is checked and counted, not sent.
        if (speech && !speech.active) { uplink.skip(m.payload); done(); } else uplink.push(m.payload, done);
        targets.touch();
        showStatus();
      } catch (e) {
        if (!refused) badImage();
        done(e as Error);
      }
    });

    node.on('close', (removed: boolean, done: () => void) => {
      uplink.close();
      unsubscribe?.();
      targets.close(removed); // and clears the status: a removed or redeployed node leaves none stale
      done();
    });
  }

  registerNodeType(RED, 'livetranslate-image-in', ImageIn);
};
