/**
 * translation-out's audio settings as the node reads them: the format, the output rate, and for
 * audio by URL the route that serves the WAVs (a message transform, and what to undo on close).
 */
import type { Node, NodeAPI } from 'node-red';
import { PORT, checkOutputRate, type AudioOutputFormat, type Outgoing } from '../output/translation-messages';
import { mountAudioRoute, type MountedAudio } from './audio-route';

export interface AudioSettings {
  audioFormat?: AudioOutputFormat | 'url';
  /** Audio by URL: the address players reach Node-RED's HTTP nodes at (blank = derived), how long and how many files stay. */
  audioBaseUrl?: string;
  audioKeepSeconds?: number | string;
  audioKeepCount?: number | string;
  /** Sample rate of the audio output: blank/24000 = the service's own, else resampled (e.g. 16000, 48000). */
  outputRate?: number | string;
}

export interface AudioOutput {
  audioFormat: AudioOutputFormat;
  outputRate: number;
  /** Audio by URL: each WAV stored and sent as its URL (dropped when the route could not be mounted). */
  transform?: (o: Outgoing) => Outgoing | undefined;
  close(): void;
}

const OWN_TEXTS = 'node-red-contrib-qwen-livetranslate/translation-out:livetranslate-translation-out';

export function audioOutput(RED: NodeAPI, node: Node, def: AudioSettings): AudioOutput {
  let outputRate = 24000;
  try {
    outputRate = checkOutputRate(def.outputRate);
  } catch (e) {
    node.warn(`${(e as Error).message}; using 24000`);
  }
  if (def.audioFormat !== 'url') {
    const audioFormat = def.audioFormat === 'wav' || def.audioFormat === 'dataurl' ? def.audioFormat : 'pcm';
    return { audioFormat, outputRate, close: () => undefined };
  }
  // Audio by URL: one WAV per utterance, kept and served by this node's own httpNode route.
  let served: MountedAudio | undefined;
  try {
    served = mountAudioRoute(RED, { nodeId: node.id, baseUrl: def.audioBaseUrl, keepSeconds: def.audioKeepSeconds, keepCount: def.audioKeepCount });
  } catch (e) {
    node.error((e as Error).message);
    node.status({ fill: 'red', shape: 'ring', text: RED._(`${OWN_TEXTS}.status.badAudioUrl`) });
  }
  return {
    audioFormat: 'wav',
    outputRate,
    // Without a route (bad base URL) the translated speech has nowhere to go.
    transform: (o) => (served ? served.served.take(o) : o.port === PORT.audio ? undefined : o),
    close: () => served && served.unmount(),
  };
}
