/**
 * A silence gate for live input: the service bills every second of audio appended, silence included, so
 * a microphone left open in a quiet room costs as much as one in a busy meeting. The gate sends speech
 * with a short pre-roll before it and a hang-over after it, and nothing during long silences.
 *
 * Why each part exists:
 * - Pre-roll (default 300 ms): the frames just before the first loud one are sent too, so a soft onset
 *   ("s", "f", "h") below the threshold is not clipped from the first syllable.
 * - Hang-over (default 1200 ms): after the last loud frame, silence keeps flowing long enough for the
 *   service's turn detection to close the utterance (the simulator needs 800 ms, qwen3.5 documents 1000 ms);
 *   without it the translation would wait for the next utterance. Pauses shorter than this inside speech are
 *   sent as they are, so the service hears the speech exactly as spoken.
 * - Threshold: a frame is loud when any 20 ms window in it is above `thresholdDb` (default -50 dBFS, more
 *   sensitive than the service's VAD, so the gate opens no later than the service would hear speech) and
 *   above the room's noise floor by `marginDb`: a noisy microphone does not hold the gate open forever.
 *
 * Decisions depend only on the audio (stream time), never on the wall clock: the same input gives the same
 * frames, whether it arrives in real time or in one burst. While the gate is shut nothing is sent; the
 * client's WebSocket keep-alive pings keep the connection.
 */

export interface SilenceGateOptions {
  /** Samples per second of the PCM16 mono frames (default 16000). */
  sampleRate?: number;
  /** Absolute level a frame must exceed to count as speech, in dBFS (default -50). */
  thresholdDb?: number;
  /** Also needed above the tracked noise floor, in dB (default 10). */
  marginDb?: number;
  /** Audio sent before the first loud frame, in ms (default 300). */
  preRollMs?: number;
  /** Audio sent after the last loud frame, in ms (default 1200). */
  hangOverMs?: number;
}

export const GATE_DEFAULTS = Object.freeze({ thresholdDb: -50, marginDb: 10, preRollMs: 300, hangOverMs: 1200 });

const WINDOW_MS = 20;
/** The floor never goes below this: digital silence would otherwise make the margin meaningless. */
const FLOOR_MIN_DB = -90;
/** How fast the floor estimate follows a rising noise level, in dB per second (it falls at once). */
const FLOOR_RISE_DB_PER_S = 2;

/** Levels of the 20 ms windows of a PCM16 frame, in dBFS (-Infinity for digital silence). */
export function windowLevelsDb(frame: Buffer, sampleRate = 16000): { levels: number[]; window: number } {
  const win = Math.max(1, Math.round((sampleRate * WINDOW_MS) / 1000));
  const n = frame.length >> 1;
  const levels: number[] = [];
  for (let at = 0; at < n; at += win) {
    const end = Math.min(n, at + win);
    let sum = 0;
    for (let i = at; i < end; i++) {
      const v = frame.readInt16LE(i * 2);
      sum += v * v;
    }
    const ms = sum / (end - at);
    levels.push(ms > 0 ? 10 * Math.log10(ms / (32768 * 32768)) : -Infinity);
  }
  return { levels, window: win };
}

export class SilenceGate {
  readonly thresholdDb: number;
  readonly marginDb: number;
  readonly preRollMs: number;
  readonly hangOverMs: number;
  private readonly sampleRate: number;
  private preRoll: Buffer[] = [];
  private preRollSamples = 0;
  /** Samples of hang-over left; > 0 means the gate is open. */
  private hangLeft = 0;
  /** The quietest recent level: falls at once, rises slowly (speech never lasts long without a dip). */
  private floorDb = FLOOR_MIN_DB;
  private inSamples = 0;
  private sentSamples = 0;
  private openings = 0;

  constructor(options: SilenceGateOptions = {}) {
    const o = { ...GATE_DEFAULTS, ...stripUndefined(options) };
    const ok = (v: number, lo: number, hi: number, what: string) => {
      if (typeof v !== 'number' || !(v >= lo && v <= hi)) throw new RangeError(`silence gate ${what} must be a number from ${lo} to ${hi}, got ${String(v)}`);
      return v;
    };
    this.thresholdDb = ok(o.thresholdDb, -120, 0, 'threshold (dBFS)');
    this.marginDb = ok(o.marginDb, 0, 60, 'margin (dB)');
    this.preRollMs = ok(o.preRollMs, 0, 5000, 'pre-roll (ms)');
    this.hangOverMs = ok(o.hangOverMs, 0, 10000, 'hang-over (ms)');
    this.sampleRate = options.sampleRate ?? 16000;
  }

  /** True while speech or its hang-over is being sent. */
  get isOpen(): boolean {
    return this.hangLeft > 0;
  }

  /** Seconds of audio offered to the gate, and let through. */
  get secondsIn(): number { return this.inSamples / this.sampleRate; }
  get secondsSent(): number { return this.sentSamples / this.sampleRate; }
  /** How many times the gate opened (utterances, roughly). */
  get opened(): number { return this.openings; }

  /**
   * Takes one frame (PCM16 mono; any length, normally 100 ms); returns the frames to send now, in order:
   * nothing while shut, the pre-roll and the frame when it opens, the frame while open.
   */
  push(frame: Buffer): Buffer[] {
    const samples = frame.length >> 1;
    this.inSamples += samples;
    const { levels, window } = windowLevelsDb(frame, this.sampleRate);
    const floor = this.floorDb;
    let first = -1;
    let last = -1;
    let loudest = -Infinity;
    for (let w = 0; w < levels.length; w++) {
      const l = levels[w];
      if (l > loudest) loudest = l;
      if (l > this.thresholdDb && l > floor + this.marginDb) {
        if (first < 0) first = w;
        last = w;
      }
    }
    this.trackFloor(loudest, samples);
    if (first >= 0) {
      // Pre-roll and hang-over are measured from the loud windows themselves, not from frame edges: the
      // quiet start of the opening frame counts as pre-roll, the quiet end of a loud frame as hang-over.
      const out = this.hangLeft > 0 ? [frame] : [...this.takePreRoll(first * window), frame];
      if (this.hangLeft <= 0) this.openings++;
      const quietAfter = Math.max(0, samples - (last + 1) * window);
      // At least one sample keeps the gate open for the next frame's decision when the hang-over is 0.
      this.hangLeft = Math.max(1, Math.round((this.hangOverMs * this.sampleRate) / 1000) - quietAfter);
      return this.sent(out);
    }
    if (this.hangLeft > 0) {
      // The hang-over is paid by the second: its last frame is cut where it ends (any even size is a valid
      // append), and the rest of that frame waits as pre-roll like any other quiet audio.
      const take = Math.min(samples, this.hangLeft);
      this.hangLeft -= take;
      if (take === samples) return this.sent([frame]);
      this.keepForPreRoll(frame.subarray(take * 2), samples - take);
      return this.sent([frame.subarray(0, take * 2)]);
    }
    this.keepForPreRoll(frame, samples);
    return [];
  }

  /** The kept frames that make up the pre-roll, given `quietLead` samples of it already in the opening frame. */
  private takePreRoll(quietLead: number): Buffer[] {
    const need = Math.round((this.preRollMs * this.sampleRate) / 1000) - quietLead;
    const out: Buffer[] = [];
    let have = 0;
    for (let i = this.preRoll.length - 1; i >= 0 && have < need; i--) {
      out.unshift(this.preRoll[i]);
      have += this.preRoll[i].length >> 1;
    }
    this.preRoll = [];
    this.preRollSamples = 0;
    return out;
  }

  /** Forgets the pre-roll and shuts the gate (the end of a recording, a new stream). */
  reset(): void {
    this.preRoll = [];
    this.preRollSamples = 0;
    this.hangLeft = 0;
  }

  private sent(frames: Buffer[]): Buffer[] {
    for (const f of frames) this.sentSamples += f.length >> 1;
    return frames;
  }

  private keepForPreRoll(frame: Buffer, samples: number): void {
    const limit = Math.round((this.preRollMs * this.sampleRate) / 1000);
    if (limit <= 0) return;
    this.preRoll.push(frame);
    this.preRollSamples += samples;
    // Keep whole frames covering at least the pre-roll: a frame is never cut, so the service never hears
    // a click at a cut.
    while (this.preRoll.length > 1 && this.preRollSamples - (this.preRoll[0].length >> 1) >= limit) {
      this.preRollSamples -= this.preRoll[0].length >> 1;
      this.preRoll.shift();
    }
  }

  private trackFloor(level: number, samples: number): void {
    const l = Math.max(FLOOR_MIN_DB, level);
    if (l < this.floorDb) this.floorDb = l;
    else this.floorDb = Math.min(l, this.floorDb + (FLOOR_RISE_DB_PER_S * samples) / this.sampleRate);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
