/**
 * A streaming energy VAD over 16 kHz mono PCM16, standing in for the service's server VAD.
 *
 * The audio is cut into 20 ms windows; a window is "voiced" when its RMS level is above the
 * threshold (dBFS). Speech starts once `minSpeechMs` of voiced windows have been heard without a
 * gap of `blipGapMs` (so clicks and coughs shorter than that are ignored), and stops after
 * `silenceMs` of unvoiced windows. Times are stream times: milliseconds of audio received since
 * the session began, which is what the service's audio_start_ms/audio_end_ms count.
 */
import { INPUT_SAMPLE_RATE } from '../protocol/catalog';

export interface VadOptions {
  silenceMs: number;
  thresholdDb: number;
  /** Voiced time needed to confirm speech (shorter bursts are blips). */
  minSpeechMs?: number;
  /** Silence that discards a not-yet-confirmed burst. */
  blipGapMs?: number;
  /** Longest utterance; longer speech is cut (the service also segments long monologues). */
  maxUtteranceMs?: number;
}

export interface VadHandlers {
  onStart(startMs: number): void;
  onEnd(startMs: number, endMs: number): void;
}

const WINDOW_MS = 20;
const WINDOW_SAMPLES = (INPUT_SAMPLE_RATE * WINDOW_MS) / 1000;

/** Level of a window of PCM16 samples in dBFS (-Infinity for digital silence). */
export function windowDbfs(pcm: Buffer, offset: number, samples: number): number {
  let sum = 0;
  for (let i = 0; i < samples; i++) {
    const v = pcm.readInt16LE(offset + i * 2);
    sum += v * v;
  }
  const rms = Math.sqrt(sum / samples) / 32768;
  return rms > 0 ? 20 * Math.log10(rms) : -Infinity;
}

type State = 'silence' | 'candidate' | 'speech';

export class EnergyVad {
  private readonly o: Required<VadOptions>;
  /** Bytes not yet forming a whole window, carried to the next push. */
  private rest: Buffer = Buffer.alloc(0);
  private samples = 0;
  private state: State = 'silence';
  private startMs = 0;
  private voicedMs = 0;
  private silenceRunMs = 0;

  constructor(opts: VadOptions, private readonly handlers: VadHandlers) {
    this.o = {
      minSpeechMs: 150,
      blipGapMs: Math.min(300, opts.silenceMs),
      maxUtteranceMs: 30000,
      ...opts,
    };
  }

  /** Stream time in ms of all audio pushed so far. */
  get nowMs(): number {
    return Math.round(((this.samples + this.rest.length / 2) * 1000) / INPUT_SAMPLE_RATE);
  }

  get speaking(): boolean {
    return this.state === 'speech';
  }

  /** Feeds PCM16 little-endian mono 16 kHz audio (an even number of bytes). */
  push(pcm: Buffer): void {
    const buf = this.rest.length ? Buffer.concat([this.rest, pcm]) : pcm;
    const whole = Math.floor(buf.length / (WINDOW_SAMPLES * 2)) * WINDOW_SAMPLES * 2;
    for (let off = 0; off < whole; off += WINDOW_SAMPLES * 2) {
      const t0 = (this.samples * 1000) / INPUT_SAMPLE_RATE;
      this.samples += WINDOW_SAMPLES;
      this.window(t0, windowDbfs(buf, off, WINDOW_SAMPLES) > this.o.thresholdDb);
    }
    // Copy so that the caller's buffer is not retained by a view.
    this.rest = Buffer.from(buf.subarray(whole));
  }

  /** Ends a confirmed utterance now, as if silence followed (session.finish); drops a blip. */
  flush(): void {
    if (this.state === 'speech') this.end(this.nowMs);
    this.state = 'silence';
  }

  private window(t0: number, voiced: boolean): void {
    const t1 = t0 + WINDOW_MS;
    switch (this.state) {
      case 'silence':
        if (voiced) {
          this.state = 'candidate';
          this.startMs = t0;
          this.voicedMs = WINDOW_MS;
          this.silenceRunMs = 0;
          this.confirmIfLongEnough();
        }
        break;
      case 'candidate':
        if (voiced) {
          this.voicedMs += WINDOW_MS;
          this.silenceRunMs = 0;
          this.confirmIfLongEnough();
        } else {
          this.silenceRunMs += WINDOW_MS;
          if (this.silenceRunMs >= this.o.blipGapMs) this.state = 'silence';
        }
        break;
      case 'speech':
        if (voiced) this.silenceRunMs = 0;
        else this.silenceRunMs += WINDOW_MS;
        if (this.silenceRunMs >= this.o.silenceMs || t1 - this.startMs >= this.o.maxUtteranceMs) this.end(t1);
        break;
    }
  }

  private confirmIfLongEnough(): void {
    if (this.voicedMs >= this.o.minSpeechMs) {
      this.state = 'speech';
      this.handlers.onStart(Math.round(this.startMs));
    }
  }

  private end(endMs: number): void {
    this.state = 'silence';
    this.silenceRunMs = 0;
    this.handlers.onEnd(Math.round(this.startMs), Math.round(endMs));
  }
}
