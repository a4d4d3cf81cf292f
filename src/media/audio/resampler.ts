/**
 * Streaming sample-rate conversion with a Kaiser-windowed sinc (see sinc-filter.ts for the design).
 *
 * Properties the rest of the package relies on:
 * - Output is aligned with input: output sample n is the band-limited input at time n / outRate, no delay.
 * - Chunking does not matter: any split of the input, down to 1-sample chunks, gives bit-identical output,
 *   because an output is computed only once every input sample its taps touch has arrived, always by the
 *   same code over the same values.
 * - After flush() the total output length is round(inputLength * outRate / inRate).
 * - No allocation per sample: the input history lives in one fixed buffer, long inputs are fed in slices.
 * - The inner loop runs as WebAssembly SIMD where the host has it (fir-wasm.ts), else in JavaScript. Each
 *   engine is deterministic; the two differ only in the last bits (float32 vs float64 sums, ~-140 dB).
 */
import { AudioFormatError } from './errors';
import { type FirKernel, instantiateFir } from './fir-wasm';
import { floatToPcm16, floatToPcm16Into } from './pcm';
import { type PolyphaseFilter, polyphaseFilter } from './sinc-filter';

export interface ResamplerOptions {
  /** 'auto' (default) uses WebAssembly SIMD where available; 'js' forces the portable loop (for tests). */
  engine?: 'auto' | 'js';
}

/** Input is copied into the history buffer this many samples at a time, so memory stays bounded. */
const SLICE = 1 << 16;
/** Outputs produced per kernel call (the WASM kernel writes into a fixed output area). */
const OUT_BATCH = 1 << 12;
const MAX_RATE = 1_536_000;

function checkRate(what: string, rate: number): void {
  if (!Number.isInteger(rate) || rate <= 0 || rate > MAX_RATE) {
    throw new AudioFormatError(`${what} sample rate must be a whole number of Hz from 1 to ${MAX_RATE}, got ${String(rate)}`, 'INVALID');
  }
}

/**
 * Where the filter, input history and output live: one Float32Array over WASM memory (SIMD engine) or a
 * plain ArrayBuffer (JS engine). Offsets are in floats.
 */
interface Workspace {
  f32: Float32Array;
  coefsAt: number;
  outAt: number;
  inAt: number;
  inCapacity: number;
  kernel: FirKernel | null;
}

export class StreamingResampler {
  readonly inRate: number;
  readonly outRate: number;
  private readonly filter: PolyphaseFilter | undefined;
  private readonly ws: Workspace | undefined;
  /** Valid samples in the history buffer (it starts with half - 1 zeros: the silence before the stream). */
  private count = 0;
  /** History index of the first tap of the next output, and that output's phase numerator (0 <= frac < L). */
  private pos = 0;
  private frac = 0;
  private inTotal = 0;
  private outTotal = 0;

  constructor(inRate: number, outRate: number, options: ResamplerOptions = {}) {
    checkRate('input', inRate);
    checkRate('output', outRate);
    this.inRate = inRate;
    this.outRate = outRate;
    if (inRate === outRate) return;
    const f = polyphaseFilter(inRate, outRate);
    this.filter = f;
    // Bounded by construction: a slice, plus the taps still needed, plus the zeros flush() appends.
    const inCapacity = SLICE + 2 * f.taps + 2 * f.half + 2 * Math.ceil(f.M / f.L) + 64;
    const coefsAt = 0;
    const outAt = f.coefs.length;
    const inAt = outAt + OUT_BATCH;
    const floats = inAt + inCapacity;
    let f32: Float32Array;
    let kernel: FirKernel | null = null;
    if (f.exact && options.engine !== 'js') {
      const memory = new WebAssembly.Memory({ initial: Math.ceil((floats * 4) / 65536) });
      kernel = instantiateFir(memory);
      f32 = new Float32Array(memory.buffer, 0, floats);
    } else {
      f32 = new Float32Array(floats);
    }
    f32.set(f.coefs, coefsAt);
    this.ws = { f32, coefsAt, outAt, inAt, inCapacity, kernel };
    this.reset();
  }

  /** Resamples the next piece of the stream; returns what is complete so far (possibly nothing). */
  process(input: Float32Array): Float32Array {
    if (!this.filter) {
      this.inTotal += input.length;
      this.outTotal += input.length;
      return input.slice();
    }
    if (input.length <= SLICE) return this.run(this.append(input));
    const pieces: Float32Array[] = [];
    for (let at = 0; at < input.length; at += SLICE) pieces.push(this.run(this.append(input.subarray(at, at + SLICE))));
    return concat(pieces);
  }

  /**
   * process() then floatToPcm16() in one step (the same bytes), without the intermediate float array:
   * the outputs go from the kernel's output area straight to PCM16. `input` is copied before this returns.
   */
  processPcm16(input: Float32Array): Buffer {
    if (!this.filter) {
      this.inTotal += input.length;
      this.outTotal += input.length;
      return floatToPcm16(input);
    }
    if (input.length <= SLICE) return this.runPcm16(this.append(input));
    const pieces: Buffer[] = [];
    for (let at = 0; at < input.length; at += SLICE) pieces.push(this.runPcm16(this.append(input.subarray(at, at + SLICE))));
    return Buffer.concat(pieces);
  }

  /**
   * Ends the stream: emits the remaining output (the input is taken to be followed by silence), so the total
   * is round(inputLength * outRate / inRate). The resampler is then ready for a new, unrelated stream.
   */
  flush(): Float32Array {
    if (!this.filter) {
      this.inTotal = this.outTotal = 0;
      return new Float32Array(0);
    }
    const out = this.run(this.prepareFlush());
    this.reset();
    return out;
  }

  /** flush() then floatToPcm16() in one step (the same bytes). */
  flushPcm16(): Buffer {
    if (!this.filter) {
      this.inTotal = this.outTotal = 0;
      return Buffer.alloc(0);
    }
    const out = this.runPcm16(this.prepareFlush());
    this.reset();
    return out;
  }

  /** Pads the history with the silence after the stream; returns how many outputs remain. */
  private prepareFlush(): number {
    const f = this.filter!;
    // Integer arithmetic: inTotal * L can pass 2^53 on a days-long stream with an odd rate pair.
    const target = Number((2n * BigInt(this.inTotal) * BigInt(f.L) + BigInt(f.M)) / (2n * BigInt(f.M)));
    const need = target - this.outTotal;
    if (need <= 0) return 0;
    this.compact();
    const lastPos = this.pos + Math.floor((this.frac + (need - 1) * f.M) / f.L);
    const zeros = lastPos + f.taps - this.count;
    if (zeros > 0) {
      this.ws!.f32.fill(0, this.ws!.inAt + this.count, this.ws!.inAt + this.count + zeros);
      this.count += zeros;
    }
    return need;
  }

  /** True when the SIMD kernel is in use (reported by the benchmarks). */
  get accelerated(): boolean {
    return !!this.ws?.kernel;
  }

  private reset(): void {
    const f = this.filter!;
    this.ws!.f32.fill(0, this.ws!.inAt, this.ws!.inAt + f.half - 1);
    this.count = f.half - 1;
    this.pos = 0;
    this.frac = 0;
    this.inTotal = 0;
    this.outTotal = 0;
  }

  /** Drops history no output will need again. */
  private compact(): void {
    if (this.pos === 0) return;
    const { f32, inAt } = this.ws!;
    f32.copyWithin(inAt, inAt + this.pos, inAt + this.count);
    this.count -= this.pos;
    this.pos = 0;
  }

  /** Adds input to the history; returns how many outputs now have all their taps. */
  private append(input: Float32Array): number {
    const f = this.filter!;
    const ws = this.ws!;
    this.compact();
    if (this.count + input.length > ws.inCapacity) throw new Error('StreamingResampler: history buffer overflow (bug)');
    ws.f32.set(input, ws.inAt + this.count);
    this.count += input.length;
    this.inTotal += input.length;
    // How many outputs have all their taps: output k needs pos + floor((frac + k*M) / L) + taps <= count.
    const room = this.count - f.taps - this.pos;
    if (room < 0) return 0;
    return Math.floor(((room + 1) * f.L - 1 - this.frac) / f.M) + 1;
  }

  /** Computes the next `n` outputs (the caller has checked their taps are present). */
  private run(n: number): Float32Array {
    const f = this.filter!;
    const ws = this.ws!;
    const out = new Float32Array(n);
    const stepWhole = Math.floor(f.M / f.L);
    const stepFrac = f.M % f.L;
    for (let done = 0; done < n; ) {
      const batch = Math.min(OUT_BATCH, n - done);
      if (ws.kernel) {
        ws.kernel(ws.coefsAt * 4, f.taps * 4, f.L, (ws.inAt + this.pos) * 4, this.frac, stepWhole * 4, stepFrac, ws.outAt * 4, batch);
        out.set(ws.f32.subarray(ws.outAt, ws.outAt + batch), done);
      } else if (f.exact) {
        firExact(ws.f32, ws.coefsAt, f.taps, f.L, ws.inAt + this.pos, this.frac, stepWhole, stepFrac, out, done, batch);
      } else {
        firInterpolated(ws.f32, ws.coefsAt, f, ws.inAt + this.pos, this.frac, stepWhole, stepFrac, out, done, batch);
      }
      this.advance(batch, stepWhole, stepFrac);
      done += batch;
    }
    this.outTotal += n;
    return out;
  }

  /** run() as PCM16: with the kernel, converted straight from its output area (no float array). */
  private runPcm16(n: number): Buffer {
    const ws = this.ws!;
    if (!ws.kernel) return floatToPcm16(this.run(n));
    const f = this.filter!;
    const out = Buffer.allocUnsafe(n * 2);
    const stepWhole = Math.floor(f.M / f.L);
    const stepFrac = f.M % f.L;
    for (let done = 0; done < n; ) {
      const batch = Math.min(OUT_BATCH, n - done);
      ws.kernel(ws.coefsAt * 4, f.taps * 4, f.L, (ws.inAt + this.pos) * 4, this.frac, stepWhole * 4, stepFrac, ws.outAt * 4, batch);
      floatToPcm16Into(ws.f32, ws.outAt, batch, out, done * 2);
      this.advance(batch, stepWhole, stepFrac);
      done += batch;
    }
    this.outTotal += n;
    return out;
  }

  /** Advances the position over `batch` outputs exactly as the kernels did, in closed form. */
  private advance(batch: number, stepWhole: number, stepFrac: number): void {
    const L = this.filter!.L;
    const total = this.frac + batch * stepFrac;
    this.pos += batch * stepWhole + Math.floor(total / L);
    this.frac = total % L;
  }
}

/** The portable loop (same walk as the WASM kernel, summing in doubles; 4 accumulators for throughput). */
function firExact(m: Float32Array, coefsAt: number, taps: number, L: number, x: number, frac: number,
  stepWhole: number, stepFrac: number, out: Float32Array, outAt: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const c = coefsAt + frac * taps;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0; k < taps; k += 4) {
      s0 += m[c + k] * m[x + k];
      s1 += m[c + k + 1] * m[x + k + 1];
      s2 += m[c + k + 2] * m[x + k + 2];
      s3 += m[c + k + 3] * m[x + k + 3];
    }
    out[outAt + i] = (s0 + s1) + (s2 + s3);
    x += stepWhole;
    frac += stepFrac;
    if (frac >= L) {
      frac -= L;
      x++;
    }
  }
}

/** For rate pairs with too many phases to tabulate: blend the two nearest tabulated phases. */
function firInterpolated(m: Float32Array, coefsAt: number, f: PolyphaseFilter, x: number, frac: number,
  stepWhole: number, stepFrac: number, out: Float32Array, outAt: number, n: number): void {
  const taps = f.taps;
  const steps = f.phases - 1;
  for (let i = 0; i < n; i++) {
    const where = (frac * steps) / f.L;
    const p = Math.floor(where);
    const t = where - p;
    const c0 = coefsAt + p * taps;
    const c1 = c0 + taps;
    let s0 = 0, s1 = 0;
    for (let k = 0; k < taps; k++) {
      const v = m[x + k];
      s0 += m[c0 + k] * v;
      s1 += m[c1 + k] * v;
    }
    out[outAt + i] = s0 + t * (s1 - s0);
    x += stepWhole;
    frac += stepFrac;
    if (frac >= f.L) {
      frac -= f.L;
      x++;
    }
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
