/**
 * The audio uplink: one straight path from what a message carries to the frames a session sends.
 *
 *   payload → AudioInputStream (decode, down-mix, resample to 16 kHz) → Pcm16Framer (100 ms)
 *           → SilenceGate (live input) → end silence (end of a recording) → FramePacer (real time) → send
 *
 * What is live and what is a recording is decided where a stream begins and kept for its chunks: a WAV
 * or a file in parts is a recording (sent whole, paced to real time in `auto`); loose raw chunks are a
 * microphone (gated in `auto`, sent as they come). A recording ends at its last part, with a WAV whose
 * data is all there, at "stop", or at `end()`; then the tail is flushed, end silence lets the service's turn
 * detection close the last utterance, and (`finishAtEnd`) the session is finished once all was sent. A WAV
 * whose header gives no length (a pipe, a browser recorder) ends the same way, or after `idleEndMs`
 * without a chunk.
 *
 * The pacing queue is bounded in seconds of audio: what a recording brings beyond it is dropped (never
 * what already waits) and reported through `warn`, at most once a second with the count. No Node-RED here.
 */
import { AudioFormatError } from './errors';
import { Pcm16Framer } from './framer';
import { GATE_DEFAULTS, SilenceGate, type SilenceGateOptions } from './gate';
import { AudioInputStream, type AudioChunk, type RawPcmFormat } from './input';
import { coerceToBytes } from './coerce';
import { FramePacer } from '../pacer';

export const UPLINK_RATE = 16000;
export const FRAME_MS = 100;
const FRAME_BYTES = (UPLINK_RATE * 2 * FRAME_MS) / 1000;

export interface UplinkSettings {
  /** What raw PCM is when a message does not say. */
  defaults: RawPcmFormat;
  pacing?: 'auto' | 'realtime' | 'fast';
  gate?: 'auto' | 'on' | 'off';
  gateOptions?: SilenceGateOptions;
  /** Silence appended when a recording ends, in seconds (0 to 5). */
  endSilenceSeconds?: number;
  /** Audio the pacing queue may hold, in seconds (default 60). */
  maxQueueSeconds?: number;
  finishAtEnd?: boolean;
  /** A stream with no known end ends after this long without a chunk (default 2000 ms). */
  idleEndMs?: number;
}

export interface UplinkOutlet {
  /** One frame of 16 kHz mono PCM16, in order. */
  send(frame: Buffer): void;
  /** A recording ended and all of it was sent (only with finishAtEnd). */
  finish(): void;
  /** Worth telling the flow's author, but not an error of the message in hand. */
  warn(message: string): void;
}

/** What the message carries: `ends` when the message itself says the recording is over. */
export interface UplinkChunk extends AudioChunk {
  ends?: boolean;
}

export const UPLINK_DEFAULTS = Object.freeze({ maxQueueSeconds: 60, endSilenceSeconds: 1, idleEndMs: 2000 });

const DROP_REPORT_MS = 1000;

export class AudioUplink {
  private readonly stream: AudioInputStream;
  private readonly framer = new Pcm16Framer(FRAME_BYTES);
  private readonly gate: SilenceGate;
  private readonly pacer: FramePacer;
  private readonly settings: Required<Omit<UplinkSettings, 'gateOptions'>>;
  private live = false;
  private droppedFrames = 0;
  private unreportedDrops = 0;
  private dropTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(settings: UplinkSettings, private readonly outlet: UplinkOutlet, now: () => number = Date.now) {
    this.settings = { pacing: 'auto', gate: 'auto', finishAtEnd: false, ...UPLINK_DEFAULTS, ...settings };
    this.stream = new AudioInputStream(settings.defaults, UPLINK_RATE);
    this.gate = new SilenceGate({ ...GATE_DEFAULTS, ...settings.gateOptions, sampleRate: UPLINK_RATE });
    this.pacer = new FramePacer(FRAME_MS, (frame) => this.outlet.send(frame), now);
    this.pacer.maxQueuedFrames = Math.max(1, Math.round((this.settings.maxQueueSeconds * 1000) / FRAME_MS));
  }

  /** Seconds of audio dropped because the pacing queue was full, since this uplink was made. */
  get droppedSeconds(): number {
    return (this.droppedFrames * FRAME_MS) / 1000;
  }

  /**
   * Takes one message's audio (a missing payload is fine when the chunk only ends the recording). Throws
   * AudioFormatError for what it refuses; returns the problem of audio it sent anyway (a truncated WAV).
   */
  push(chunk: UplinkChunk): AudioFormatError | undefined {
    if (this.closed) return undefined;
    this.clearIdle();
    const empty = chunk.data === undefined || chunk.data === null || chunk.data === '' || (Buffer.isBuffer(chunk.data) && chunk.data.length === 0);
    let frames: Buffer[] = [];
    let ends = !!chunk.ends;
    if (!empty) {
      // Decode base64 and data URLs once; typed arrays say their own sample format.
      const coerced = coerceToBytes(chunk.data, { sniff: false });
      const format = coerced.typedFloat ? { ...chunk.format, bitDepth: 32 as const, float: true }
        : coerced.typedInt16 ? { ...chunk.format, bitDepth: 16 as const, float: false } : chunk.format;
      const opened = this.stream.streamsOpened;
      frames = this.framer.push(this.stream.push({ ...chunk, data: coerced.bytes, fromText: coerced.fromText, format, last: ends }));
      if (this.stream.streamsOpened !== opened) this.live = !chunk.part && !this.stream.inWav;
      // A WAV that came whole in this message ends with it; one whose header gave no length goes on.
      if (!chunk.part && this.stream.inWav && !this.stream.openEnded) ends = true;
    } else if (!ends) {
      return undefined;
    }
    this.send(frames, ends);
    for (const n of this.stream.takeNotices()) this.outlet.warn(n);
    if (!ends && this.stream.openEnded) this.armIdle();
    return this.stream.takeProblems()[0];
  }

  /** Ends the current recording or live stream (the "stop" of microphone nodes). */
  end(): AudioFormatError | undefined {
    if (this.closed) return undefined;
    this.clearIdle();
    this.send([], true);
    return this.stream.takeProblems()[0];
  }

  close(): void {
    this.closed = true;
    this.clearIdle();
    clearTimeout(this.dropTimer);
    this.pacer.close();
  }

  private send(frames: Buffer[], ends: boolean): void {
    const gated = this.settings.gate === 'on' || (this.settings.gate === 'auto' && this.live);
    if (ends) {
      frames = frames.concat(this.framer.push(this.stream.end()));
      const last = this.framer.flush();
      if (last) frames.push(last);
    }
    const out = gated ? frames.flatMap((f) => this.gate.push(f)) : frames;
    const realtime = this.settings.pacing === 'realtime' || (this.settings.pacing === 'auto' && !this.live);
    this.noteDrops(this.pacer.push(out, realtime));
    if (!ends) return;
    // End silence closes the last utterance; a shut gate has nothing left open to close.
    if (!gated || this.gate.isOpen) {
      const silence = this.framer.push(Buffer.alloc(Math.round(this.settings.endSilenceSeconds * UPLINK_RATE) * 2));
      const rest = this.framer.flush();
      this.pacer.push(rest ? silence.concat(rest) : silence, realtime, true);
    }
    this.gate.reset();
    if (this.settings.finishAtEnd) this.pacer.whenDrained(() => this.outlet.finish());
  }

  private noteDrops(n: number): void {
    if (n === 0) return;
    this.droppedFrames += n;
    this.unreportedDrops += n;
    if (!this.dropTimer) {
      this.reportDrops();
      this.dropTimer = setTimeout(() => {
        this.dropTimer = undefined;
        if (this.unreportedDrops > 0) this.reportDrops();
      }, DROP_REPORT_MS);
    }
  }

  private reportDrops(): void {
    const seconds = (this.unreportedDrops * FRAME_MS) / 1000;
    this.unreportedDrops = 0;
    this.outlet.warn(`${seconds.toFixed(1)} s of audio not sent: the recording came faster than real time and the pacing queue `
      + `holds ${this.settings.maxQueueSeconds} s (${this.droppedSeconds.toFixed(1)} s dropped in all; raise "Queue" or send smaller files)`);
  }

  private armIdle(): void {
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      try {
        const problem = this.end();
        if (problem) this.outlet.warn(problem.message);
      } catch (e) {
        this.outlet.warn((e as Error).message);
      }
    }, this.settings.idleEndMs);
  }

  private clearIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
