/**
 * Streaming sample-rate conversion with Kaiser-windowed sincs (sinc-filter.ts), in one or more stages
 * (stage-plan.ts: 48 kHz -> 16 kHz halves the rate first with a short filter, then converts 24 -> 16 kHz).
 *
 * Properties the rest of the package relies on:
 * - Output is aligned with input: output sample n is the band-limited input at time n / outRate, no delay
 *   (every stage's kernel is centred on its output's position).
 * - Chunking does not matter: any split of the input, down to 1-sample chunks, gives bit-identical output
 *   (each stage computes an output once all its taps are present, see fir-stage.ts; so the next stage sees
 *   the same samples whatever the split).
 * - After flush() the total output length is round(inputLength * outRate / inRate): the length is reckoned
 *   for the whole conversion, and each earlier stage runs on into the silence after the stream for as long as
 *   the next stage needs (not rounded stage by stage).
 * - No allocation per sample: the stages' histories live in one fixed workspace, long inputs are fed in slices.
 * - The inner loop runs as WebAssembly SIMD where the host has it (fir-wasm.ts), else in JavaScript. Each
 *   engine is deterministic; the two differ only in the last bits (float32 vs float64 sums, ~-140 dB). The
 *   SIMD engine also converts to PCM16 (processPcm16), to the same bytes as floatToPcm16.
 */
import { AudioFormatError } from './errors';
import { FirStage } from './fir-stage';
import { instantiateFir, type Pcm16Kernel } from './fir-wasm';
import { floatToPcm16, floatToPcm16Into } from './pcm';
import { gcd, polyphaseFilter } from './sinc-filter';
import { planStages } from './stage-plan';

export interface ResamplerOptions {
  /** 'auto' (default) uses WebAssembly SIMD where available; 'js' forces the portable loop (for tests). */
  engine?: 'auto' | 'js';
}

/** Input is copied into the first stage's history this many samples at a time, so memory stays bounded. */
const SLICE = 1 << 16;
/** Outputs the last stage writes per call into the workspace's output area. */
const OUT_BATCH = 1 << 12;
const MAX_RATE = 1_536_000;

function checkRate(what: string, rate: number): void {
  if (!Number.isInteger(rate) || rate <= 0 || rate > MAX_RATE) {
    throw new AudioFormatError(`${what} sample rate must be a whole number of Hz from 1 to ${MAX_RATE}, got ${String(rate)}`, 'INVALID');
  }
}

interface Workspace {
  stages: FirStage[];
  /** Every stage's coefficients and history, then the output area and its PCM16 area (offsets in floats). */
  m: Float32Array;
  outAt: number;
  pcmAt: number;
  /** The SIMD conversion to PCM16 and the bytes of `m`, when the SIMD engine runs. */
  pcm16: Pcm16Kernel | null;
  bytes: Uint8Array;
}

/** The stages over one workspace: WebAssembly memory when the SIMD engine runs, a plain Float32Array otherwise. */
function buildWorkspace(inRate: number, outRate: number, engine: ResamplerOptions['engine']): Workspace {
  const filters = planStages(inRate, outRate).map(polyphaseFilter);
  const layout: Array<{ coefsAt: number; inAt: number; inCapacity: number }> = [];
  let floats = 0;
  for (const f of filters) {
    // Bounded by construction: a slice (later stages get less), the taps still needed, the flush's zeros.
    const inCapacity = SLICE + 4 * f.taps + 4 * Math.ceil(f.M / f.L) + 64;
    layout.push({ coefsAt: floats, inAt: floats + f.coefs.length, inCapacity });
    floats += f.coefs.length + inCapacity;
  }
  // The PCM16 conversion takes 8 samples a turn: both areas have room for a last partial 8.
  const outAt = floats;
  const pcmAt = outAt + OUT_BATCH + 8;
  floats = pcmAt + OUT_BATCH / 2 + 8;
  let m: Float32Array;
  let kernels: ReturnType<typeof instantiateFir> = null;
  if (engine !== 'js' && filters.some((f) => f.exact)) {
    const memory = new WebAssembly.Memory({ initial: Math.ceil((floats * 4) / 65536) });
    kernels = instantiateFir(memory);
    m = new Float32Array(memory.buffer, 0, floats);
  } else {
    m = new Float32Array(floats);
  }
  const stages = filters.map((f, i) => {
    const { coefsAt, inAt, inCapacity } = layout[i];
    m.set(f.coefs, coefsAt);
    return new FirStage(f, m, coefsAt, inAt, inCapacity, f.exact && kernels ? kernels.fir : null);
  });
  const pcm16 = kernels && stages[stages.length - 1].accelerated ? kernels.pcm16 : null;
  return { stages, m, outAt, pcmAt, pcm16, bytes: new Uint8Array(m.buffer, m.byteOffset, m.byteLength) };
}

export class StreamingResampler {
  readonly inRate: number;
  readonly outRate: number;
  /** None when the rates are equal (a pass-through). */
  private readonly ws: Workspace | null = null;
  private readonly stages: FirStage[] = [];
  /** Output step of the whole conversion in input samples, M / L in lowest terms. */
  private readonly L: number;
  private readonly M: number;
  private inTotal = 0;
  private outTotal = 0;

  constructor(inRate: number, outRate: number, options: ResamplerOptions = {}) {
    checkRate('input', inRate);
    checkRate('output', outRate);
    this.inRate = inRate;
    this.outRate = outRate;
    const g = gcd(inRate, outRate);
    this.L = outRate / g;
    this.M = inRate / g;
    if (inRate === outRate) return;
    this.ws = buildWorkspace(inRate, outRate, options.engine);
    this.stages = this.ws.stages;
  }

  /** True when the SIMD kernel is in use (reported by the benchmarks). */
  get accelerated(): boolean {
    return this.stages.some((s) => s.accelerated);
  }

  /** Resamples the next piece of the stream; returns what is complete so far (possibly nothing). */
  process(input: Float32Array): Float32Array {
    if (this.stages.length === 0) return this.passThrough(input).slice();
    if (input.length <= SLICE) return this.drainFloat(this.feed(input));
    const pieces: Float32Array[] = [];
    for (let at = 0; at < input.length; at += SLICE) pieces.push(this.drainFloat(this.feed(input.subarray(at, at + SLICE))));
    return concat(pieces);
  }

  /**
   * process() then floatToPcm16() in one step (the same bytes), without the intermediate float array:
   * the outputs go from the workspace's output area straight to PCM16. `input` is copied before this returns.
   */
  processPcm16(input: Float32Array): Buffer {
    if (this.stages.length === 0) return floatToPcm16(this.passThrough(input));
    if (input.length <= SLICE) return this.drainPcm16(this.feed(input));
    const pieces: Buffer[] = [];
    for (let at = 0; at < input.length; at += SLICE) pieces.push(this.drainPcm16(this.feed(input.subarray(at, at + SLICE))));
    return Buffer.concat(pieces);
  }

  /**
   * Ends the stream: emits the remaining output (the input is taken to be followed by silence), so the total
   * is round(inputLength * outRate / inRate). The resampler is then ready for a new, unrelated stream.
   */
  flush(): Float32Array {
    const out = this.drainFloat(this.prepareFlush());
    this.reset();
    return out;
  }

  /** flush() then floatToPcm16() in one step (the same bytes). */
  flushPcm16(): Buffer {
    const out = this.drainPcm16(this.prepareFlush());
    this.reset();
    return out;
  }

  private passThrough(input: Float32Array): Float32Array {
    this.inTotal += input.length;
    this.outTotal += input.length;
    return input;
  }

  private reset(): void {
    for (const s of this.stages) s.reset();
    this.inTotal = 0;
    this.outTotal = 0;
  }

  /** Adds input to the first stage, runs each stage but the last on all it can; returns the last's ready outputs. */
  private feed(input: Float32Array): number {
    const first = this.stages[0];
    this.ws!.m.set(input, first.reserve(input.length));
    first.commit(input.length);
    this.inTotal += input.length;
    for (let i = 0; i + 1 < this.stages.length; i++) this.pass(i, this.stages[i].ready());
    return this.stages[this.stages.length - 1].ready();
  }

  /** Runs `n` outputs of stage i straight into the history of stage i + 1. */
  private pass(i: number, n: number): void {
    const next = this.stages[i + 1];
    this.stages[i].run(n, next.reserve(n));
    next.commit(n);
  }

  /**
   * Makes the outputs that remain computable: the silence after the stream goes into the first stage, and
   * each earlier stage runs on as far as the next one needs. Returns how many outputs remain.
   */
  private prepareFlush(): number {
    if (this.stages.length === 0) return 0;
    // Integer arithmetic: inTotal * L can pass 2^53 on a days-long stream with an odd rate pair.
    const target = Number((2n * BigInt(this.inTotal) * BigInt(this.L) + BigInt(this.M)) / (2n * BigInt(this.M)));
    const need = target - this.outTotal;
    if (need <= 0) return 0;
    // From the last stage back: how many more outputs each stage must give the next.
    const needs = this.stages.map(() => 0);
    needs[needs.length - 1] = need;
    for (let i = this.stages.length - 1; i > 0; i--) needs[i - 1] = this.stages[i].missingFor(needs[i]);
    this.stages[0].padZeros(this.stages[0].missingFor(needs[0]));
    for (let i = 0; i + 1 < this.stages.length; i++) this.pass(i, needs[i]);
    return need;
  }

  /** Runs the last stage for `n` outputs, in batches through the output area, into a new Float32Array. */
  private drainFloat(n: number): Float32Array {
    const out = new Float32Array(n);
    const m = this.ws?.m;
    this.drain(n, (from, batch, done) => out.set(m!.subarray(from, from + batch), done));
    return out;
  }

  /** drainFloat() as PCM16, converted straight from the output area. */
  private drainPcm16(n: number): Buffer {
    const out = Buffer.allocUnsafe(n * 2);
    const ws = this.ws;
    if (ws?.pcm16) {
      const { pcm16, bytes, pcmAt } = ws;
      this.drain(n, (from, batch, done) => {
        pcm16(from * 4, batch, pcmAt * 4);
        out.set(bytes.subarray(pcmAt * 4, pcmAt * 4 + batch * 2), done * 2);
      });
    } else {
      this.drain(n, (from, batch, done) => floatToPcm16Into(ws!.m, from, batch, out, done * 2));
    }
    return out;
  }

  private drain(n: number, take: (from: number, batch: number, done: number) => void): void {
    const last = this.stages[this.stages.length - 1];
    for (let done = 0; done < n; done += OUT_BATCH) {
      const batch = Math.min(OUT_BATCH, n - done);
      last.run(batch, this.ws!.outAt);
      take(this.ws!.outAt, batch, done);
    }
    this.outTotal += n;
  }
}

function concat(pieces: Float32Array[]): Float32Array {
  let n = 0;
  for (const p of pieces) n += p.length;
  const out = new Float32Array(n);
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
