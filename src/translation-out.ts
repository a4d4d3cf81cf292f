/**
 * translation-out: emits what the service answers as ordinary messages, one output per kind:
 * translated text, source transcript, translated audio, events (lifecycle, usage, errors).
 * Thin glue over output/translation-messages.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { TranslationMessages, PORT, checkOutputRate, type AudioOutputFormat, type Outgoing } from './output/translation-messages';
import { sentEstimate } from './output/sent-meter';
import type { LiveTranslateSessionNode } from './glue/session-node';
import { sessionTexts } from './glue/texts';
import { mountAudioRoute, registerBaseUrlEndpoint, type MountedAudio } from './glue/audio-route';

interface TranslationOutDef extends NodeDef {
  session: string;
  partials?: boolean | string;
  audioFormat?: AudioOutputFormat | 'url';
  /** Audio by URL: the address players reach Node-RED's HTTP nodes at (blank = derived), how long and how many files stay. */
  audioBaseUrl?: string;
  audioKeepSeconds?: number | string;
  audioKeepCount?: number | string;
  /** Sample rate of the audio output: blank/24000 = the service's own, else resampled (e.g. 16000, 48000). */
  outputRate?: number | string;
}

const OUTPUTS = 4;
const OWN_TEXTS = 'node-red-contrib-qwen-livetranslate/translation-out:livetranslate-translation-out';

export = function register(RED: NodeAPI): void {
  function TranslationOut(this: Node, def: TranslationOutDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const texts = sessionTexts(RED);
    const session = RED.nodes.getNode(def.session) as LiveTranslateSessionNode | null;
    // Audio by URL: one WAV per utterance, kept and served by this node's own httpNode route.
    let served: MountedAudio | undefined;
    const byUrl = def.audioFormat === 'url';
    if (byUrl) {
      try {
        served = mountAudioRoute(RED, { nodeId: node.id, baseUrl: def.audioBaseUrl, keepSeconds: def.audioKeepSeconds, keepCount: def.audioKeepCount });
      } catch (e) {
        node.error((e as Error).message);
        node.status({ fill: 'red', shape: 'ring', text: RED._(`${OWN_TEXTS}.status.badAudioUrl`) });
      }
    }
    const audioFormat: AudioOutputFormat = def.audioFormat === 'url' ? 'wav' : def.audioFormat === 'wav' || def.audioFormat === 'dataurl' ? def.audioFormat : 'pcm';
    let outputRate = 24000;
    try {
      outputRate = checkOutputRate(def.outputRate);
    } catch (e) {
      node.warn(`${(e as Error).message}; using 24000`);
    }
    const messages = new TranslationMessages({
      partials: def.partials !== false && def.partials !== 'false',
      audioFormat,
      outputRate,
      sent: () => (session && session.realtime ? sentEstimate(session.realtime) : undefined),
    });
    const cleanups: Array<() => void> = [];

    const emit = (list: Outgoing[]) => {
      for (const raw of list) {
        // Audio by URL without a route (bad base URL): the translated speech has nowhere to go.
        if (byUrl && !served && raw.port === PORT.audio) continue;
        const o = served ? served.served.take(raw) : raw;
        const out: (NodeMessage | null)[] = new Array(OUTPUTS).fill(null);
        out[o.port] = o.msg as NodeMessage;
        node.send(out);
        if (o.port === PORT.events && o.msg.topic === 'error') {
          const p = o.msg.payload as { message?: string; code?: string };
          // Also to Catch nodes: an error from the service is something a flow may want to handle.
          node.error(`service error${p.code ? ' ' + p.code : ''}: ${p.message || ''}`, o.msg as NodeMessage);
        }
      }
    };

    if (!session) {
      node.status({ fill: 'red', shape: 'ring', text: texts('status.nosession') });
    } else {
      cleanups.push(session.register(node));
      cleanups.push(session.subscribe({
        event: (event) => {
          try {
            emit(messages.handle(event));
          } catch (e) {
            node.error(`could not handle ${event.type}: ${(e as Error).message}`);
          }
        },
        state: (state, reason) => {
          if (state === 'connecting') messages.reset();
          emit([messages.state(state, reason)]);
        },
        unknown: (type, raw) => emit([{ port: PORT.events, msg: { topic: type, payload: raw } }]),
        problem: (message) => emit([{ port: PORT.events, msg: { topic: 'warning', payload: { message } } }]),
        dropped: (summary) => emit([{ port: PORT.events, msg: { topic: 'dropped', payload: summary } }]),
      }));
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      for (const c of cleanups) c();
      if (served) served.unmount();
      done();
    });
  }

  registerBaseUrlEndpoint(RED, 'livetranslate-translation-out.read');
  RED.nodes.registerType('livetranslate-translation-out', TranslationOut as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
