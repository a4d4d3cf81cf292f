/**
 * audio-in: audio as flows carry it → media/audio's AudioUplink (16 kHz mono PCM16, 100 ms frames,
 * gated, paced) → the session(s) it feeds → RealtimeSession.appendAudio → the socket.
 * Thin glue: reads the message, maps errors to done(err) and the status.
 */
import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import { AudioUplink } from './media/audio';
import { readAudioMessage, type AudioMessage } from './node-red/audio-message';
import { uplinkSettingsFrom, type AudioInDef } from './node-red/audio-settings';
import type { ControlMessage } from './node-red/control';
import { InputTargets } from './node-red/input-targets';
import { sessionTexts } from './node-red/texts';
import { registerNodeType } from './node-red/register-type';

export = function register(RED: NodeAPI): void {
  function AudioIn(this: Node, def: AudioInDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const targets = new InputTargets(RED, node, [def.session, def.session2, def.session3]);
    const uplink = new AudioUplink(uplinkSettingsFrom(def), {
      send: (frame) => targets.sendAudio(frame),
      finish: () => { targets.finish().catch(() => undefined); },
      warn: (message) => node.warn(message),
    });

    node.on('input', (msg: NodeMessageInFlow, _send, done) => {
      const m = msg as NodeMessageInFlow & AudioMessage & ControlMessage;
      if (m.action !== undefined) {
        targets.control(m).then(() => done(), (e: Error) => done(e));
        return;
      }
      let refused = true;
      try {
        if (m.payload === 'start') {
          targets.connect();
          done();
          return;
        }
        const partly = targets.check('audio');
        refused = false;
        targets.touch();
        const problem = m.payload === 'stop' ? uplink.end() : uplink.push(readAudioMessage(m));
        // Audio that ended short was still sent; say what was wrong with it.
        if (problem) node.status({ fill: 'yellow', shape: 'ring', text: sessionTexts(RED)('status.badaudio') });
        done(problem ?? (partly ? new Error(partly) : undefined));
      } catch (e) {
        if (!refused) node.status({ fill: 'red', shape: 'ring', text: sessionTexts(RED)('status.badaudio') });
        done(e as Error);
      }
    });

    node.on('close', (removed: boolean, done: () => void) => {
      uplink.close();
      targets.close(removed);
      done();
    });
  }

  registerNodeType(RED, 'livetranslate-audio-in', AudioIn);
};
