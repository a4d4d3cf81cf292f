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

interface Collector { chunks: Buffer[]; bytes: number; itemId: string }

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

  constructor(private readonly format: AudioOutputFormat, private readonly outputRate: number) {}

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
    let c = this.collectors.get(responseId);
    if (!c) {
      c = { chunks: [], bytes: 0, itemId };
      this.collectors.set(responseId, c);
    }
    c.chunks.push(pcm);
    c.bytes += pcm.length;
    return [];
  }

  private wav(responseId: string, c: Collector): AudioMessage[] {
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
    return [this.message(payload, responseId, c.itemId, { duration: pcm.length / 2 / this.outputRate })];
  }

  private message(payload: Buffer | string, responseId: string, itemId: string, extra: Record<string, unknown>): AudioMessage {
    return { topic: 'audio', payload, sampleRate: this.outputRate, channels: 1, bitDepth: 16, responseId, itemId, ...extra };
  }
}
