/**
 * Turns translation-out's per-utterance WAV messages into URL messages: the WAV goes into the
 * store, the message carries its absolute URL instead (what Home Assistant, Sonos, Chromecast and
 * Dashboard 2's ui-audio play). Remembers the utterance number and text of each response's final
 * translation so the audio message can carry them too when the text came first.
 */
import { AudioStore, type AudioStoreLimits } from '../../media/audio-store';
import { PORT, type Outgoing } from '../translation-messages';

export interface ServedAudioOptions extends AudioStoreLimits {
  /** Absolute URL of the folder the route serves, ending in a slash. */
  folderUrl: string;
}

/** The defaults: an utterance stays reachable for 10 minutes, 50 of them, 64 MiB in all. */
export const SERVED_AUDIO_DEFAULTS = { maxAgeMs: 10 * 60 * 1000, maxCount: 50, maxBytes: 64 * 1024 * 1024 } as const;

const REMEMBERED_TEXTS = 32;

export class ServedAudio {
  readonly store: AudioStore;
  private readonly texts = new Map<string, { utterance: unknown; text: unknown }>();

  constructor(private readonly opts: ServedAudioOptions) {
    this.store = new AudioStore(opts);
  }

  /** The URL of a stored file. */
  urlOf(id: string, extension: string): string {
    return `${this.opts.folderUrl}${id}.${extension}`;
  }

  /** Passes every outgoing message through; a WAV on the audio output leaves as its URL. */
  take(o: Outgoing): Outgoing {
    const m = o.msg;
    if (o.port === PORT.translation && m.partial === false && typeof m.responseId === 'string') {
      this.texts.set(m.responseId, { utterance: m.utterance, text: m.payload });
      if (this.texts.size > REMEMBERED_TEXTS) this.texts.delete(this.texts.keys().next().value as string);
      return o;
    }
    if (o.port !== PORT.audio || !Buffer.isBuffer(m.payload)) return o;
    const file = this.store.put(m.payload, 'audio/wav', 'wav');
    const said = typeof m.responseId === 'string' ? this.texts.get(m.responseId) : undefined;
    const { payload: _wav, ...rest } = m;
    return { port: o.port, msg: {
      ...rest,
      payload: this.urlOf(file.id, file.extension),
      contentType: file.contentType,
      bytes: file.body.length,
      expires: new Date(file.expires).toISOString(),
      ...(said ? { utterance: said.utterance, translation: said.text } : {}),
    } };
  }

  close(): void {
    this.store.clear();
    this.texts.clear();
  }
}
