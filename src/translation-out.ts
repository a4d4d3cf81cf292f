/**
 * translation-out: emits what the service answers as ordinary messages, one output per kind:
 * translated text, source transcript, translated audio, events (lifecycle, usage, errors).
 * Thin glue over output/translation-out-controller.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { TranslationOutController } from './output/translation-out-controller';
import { sentEstimate } from './client';
import type { LiveTranslateSessionNode } from './node-red/session-node';
import { sessionTexts } from './node-red/texts';
import { registerBaseUrlEndpoint } from './node-red/audio-route';
import { audioOutput, type AudioSettings } from './node-red/translation-out-audio';
import { registerNodeType } from './node-red/register-type';

interface TranslationOutDef extends NodeDef, AudioSettings {
  session: string;
  partials?: boolean | string;
}

export = function register(RED: NodeAPI): void {
  function TranslationOut(this: Node, def: TranslationOutDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const session = RED.nodes.getNode(def.session) as LiveTranslateSessionNode | null;
    const audio = audioOutput(RED, node, def);
    const controller = new TranslationOutController(node, {
      partials: def.partials !== false && def.partials !== 'false',
      audioFormat: audio.audioFormat,
      outputRate: audio.outputRate,
      transform: audio.transform,
      sent: () => (session && session.realtime ? sentEstimate(session.realtime.stats) : undefined),
    });
    let unregister: ((removed?: boolean) => void) | undefined;
    let unsubscribe: (() => void) | undefined;
    if (!session) {
      node.status({ fill: 'red', shape: 'ring', text: sessionTexts(RED)('status.nosession') });
    } else {
      unregister = session.register(node);
      unsubscribe = session.subscribe({
        event: (event) => controller.event(event),
        state: (state, reason) => controller.state(state, reason),
        unknown: (type, raw) => controller.unknown(type, raw),
        problem: (message) => controller.problem(message),
        dropped: (summary) => controller.inputDropped(summary),
      });
    }

    node.on('close', (removed: boolean, done: () => void) => {
      if (unsubscribe) unsubscribe();
      if (unregister) unregister(removed);
      node.status({});
      controller.close();
      audio.close();
      done();
    });
  }

  registerBaseUrlEndpoint(RED, 'livetranslate-translation-out.read');
  registerNodeType(RED, 'livetranslate-translation-out', TranslationOut);
};
