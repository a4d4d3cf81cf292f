/**
 * Translated speech for translation-out's audio output: PCM chunks passed on as they come
 * (resampled when another rate is asked for), or one WAV / data URL per utterance.
 * Knows nothing of Node-RED; returns plain messages.
 */
import { OUTPUT_SAMPLE_RATE } from '../protocol';
import { encodeWav } from '../media/audio/wav';
import { floatToPcm16, pcm16ToFloat } from '../media/audio/pcm';
import { StreamingResampler } from '../media/audio/resampler';

export type AudioOutputFormat = 'pcm' | 'wav' | 'dataurl';

export interface AudioMessage {
  topic: 'audio';
  payload: Buffer | string;
  sampleRate: number;
  channels: 1;
  bitDepth: 16;
  responseId: string;
  itemId: string;
  [key: string]: unknown;
}

interface Collector { chunks: Buffer[]; bytes: number; itemId: string; part: number }

export interface TranslatedAudioOptions {
  /** Longest WAV collected for one utterance, in seconds (default 300); more starts the next WAV. */
  maxUtteranceSeconds?: number;
  /** Told once per response that reaches the cap. */
  onCap?: (responseId: string, seconds: number) => void;
}

/** Five minutes of the service's 24 kHz speech: no translated utterance is that long. */
export const MAX_UTTERANCE_SECONDS = 300;
/** Responses collected at once; a server that never ends them cannot grow memory without bound. */
const MAX_OPEN_COLLECTORS = 8;

/** Output rates offered for sound cards and players; anything else is refused. */
export function checkOutputRate(rate: unknown): number {
  const r = rate === undefined || rate === '' ? OUTPUT_SAMPLE_RATE : Number(rate);
  if (!Number.isInteger(r) || r < 8000 || r > 192000) throw new RangeError(`audio output rate must be a whole number of Hz from 8000 to 192000, got ${String(rate)}`);
  return r;
}

export class TranslatedAudio {
  private readonly collectors = new Map<string, Collector>();
  /** Streaming resamplers of responses whose PCM chunks go out as they come (only when the rate differs). */
  private readonly resamplers = new Map<string, { r: StreamingResampler; itemId: string }>();

  private readonly maxBytes: number;

  constructor(private readonly format: AudioOutputFormat, private readonly outputRate: number, private readonly opts: TranslatedAudioOptions = {}) {
    const seconds = opts.maxUtteranceSeconds ?? MAX_UTTERANCE_SECONDS;
    if (!(seconds > 0)) throw new RangeError(`maxUtteranceSeconds must be above 0, got ${String(seconds)}`);
    this.maxBytes = Math.max(2, Math.floor(seconds * OUTPUT_SAMPLE_RATE) * 2);
  }

  /** One response.audio.delta: a PCM message now, or nothing while a WAV is being collected. */
  delta(responseId: string, itemId: string, b64: unknown, event: object): AudioMessage[] {
    if (typeof b64 !== 'string' || b64.length === 0) return [];
    let pcm: Buffer = Buffer.from(b64, 'base64');
    if (pcm.length % 2 === 1) pcm = pcm.subarray(0, pcm.length - 1);
    if (this.format !== 'pcm') return this.collect(responseId, itemId, pcm);
    const { delta: _omit, ...slim } = event as { delta?: string };
    if (this.outputRate !== OUTPUT_SAMPLE_RATE) {
      let rs = this.resamplers.get(responseId);
      if (!rs) {
        rs = { r: new StreamingResampler(OUTPUT_SAMPLE_RATE, this.outputRate), itemId };
        this.resamplers.set(responseId, rs);
      }
      pcm = floatToPcm16(rs.r.process(pcm16ToFloat(pcm)));
      // The first chunk may be all filter delay; an empty Buffer would only confuse a speaker node.
      if (pcm.length === 0) return [];
    }
    return [this.message(pcm, responseId, itemId, { event: slim })];
  }

  /** The end of a response's audio (response.audio.done, or response.done without it). */
  done(responseId: string): AudioMessage[] {
    const rs = this.resamplers.get(responseId);
    if (rs) {
      // The resampler's tail: the last few ms of the utterance, held back for the filter's look-ahead.
      this.resamplers.delete(responseId);
      const tail = floatToPcm16(rs.r.flush());
      return tail.length === 0 ? [] : [this.message(tail, responseId, rs.itemId, { last: true })];
    }
    const c = this.collectors.get(responseId);
    if (!c) return [];
    this.collectors.delete(responseId);
    return this.wav(responseId, c);
  }

  reset(): void {
    this.collectors.clear();
    this.resamplers.clear();
  }

  private collect(responseId: string, itemId: string, pcm: Buffer): AudioMessage[] {
    const out: AudioMessage[] = [];
    let c = this.collectors.get(responseId);
    if (!c) {
      c = { chunks: [], bytes: 0, itemId, part: 0 };
      this.collectors.set(responseId, c);
      if (this.collectors.size > MAX_OPEN_COLLECTORS) out.push(...this.flushOldest());
    }
    while (pcm.length > 0) {
      const room = this.maxBytes - c.bytes;
      const take = pcm.length <= room ? pcm : pcm.subarray(0, room);
      c.chunks.push(take);
      c.bytes += take.length;
      pcm = pcm.subarray(take.length);
      if (c.bytes >= this.maxBytes) {
        // The cap: what was collected goes out now, and the rest of the utterance starts the next WAV.
        if (c.part === 0 && this.opts.onCap) this.opts.onCap(responseId, this.maxBytes / 2 / OUTPUT_SAMPLE_RATE);
        out.push(...this.wav(responseId, c, { capped: true, part: c.part + 1 }));
        c.chunks = [];
        c.bytes = 0;
        c.part++;
      }
    }
    return out;
  }

  private flushOldest(): AudioMessage[] {
    const [id, c] = this.collectors.entries().next().value as [string, Collector];
    this.collectors.delete(id);
    return this.wav(id, c);
  }

  private wav(responseId: string, c: Collector, extra: Record<string, unknown> = {}): AudioMessage[] {
    let pcm: Buffer = Buffer.concat(c.chunks, c.bytes);
    if (pcm.length === 0) return [];
    if (this.outputRate !== OUTPUT_SAMPLE_RATE) {
      const rs = new StreamingResampler(OUTPUT_SAMPLE_RATE, this.outputRate);
      const a = rs.process(pcm16ToFloat(pcm));
      const b = rs.flush();
      const y = new Float32Array(a.length + b.length);
      y.set(a);
      y.set(b, a.length);
      pcm = floatToPcm16(y);
    }
    const wav = encodeWav(pcm, this.outputRate, 1);
    const payload = this.format === 'dataurl' ? 'data:audio/wav;base64,' + wav.toString('base64') : wav;
    const part = c.part > 0 && !extra.part ? { part: c.part + 1 } : {};
    return [this.message(payload, responseId, c.itemId, { duration: pcm.length / 2 / this.outputRate, ...part, ...extra })];
  }

  private message(payload: Buffer | string, responseId: string, itemId: string, extra: Record<string, unknown>): AudioMessage {
    return { topic: 'audio', payload, sampleRate: this.outputRate, channels: 1, bitDepth: 16, responseId, itemId, ...extra };
  }
}
