/**
 * One filter stage of the resampler: its input history and its position in it, over a workspace shared with
 * the other stages (one Float32Array, WebAssembly memory when the SIMD kernel runs). A stage writes its outputs
 * into the workspace too: straight into the next stage's history, or into the output area of the last stage.
 *
 * An output is computed only once every input sample its taps touch has arrived, always by the same code over
 * the same values, so how the input was split into chunks never changes a bit of the output.
 */
import type { FirKernel } from './fir-wasm';
import type { PolyphaseFilter } from './sinc-filter';

export class FirStage {
  /** Valid samples in the history (it starts with half - 1 zeros: the silence before the stream). */
  private count = 0;
  /** History index of the first tap of the next output, and that output's phase numerator (0 <= frac < L). */
  private pos = 0;
  private frac = 0;
  private readonly stepWhole: number;
  private readonly stepFrac: number;

  /**
   * `m` is the workspace, the coefficients are at `coefsAt` and the history has `inCapacity` floats from
   * `inAt`; `kernel` is the SIMD loop bound to `m`'s memory, or null for the JavaScript loop.
   */
  constructor(readonly filter: PolyphaseFilter, private readonly m: Float32Array, private readonly coefsAt: number,
    private readonly inAt: number, private readonly inCapacity: number, private readonly kernel: FirKernel | null) {
    this.stepWhole = Math.floor(filter.M / filter.L);
    this.stepFrac = filter.M % filter.L;
    this.reset();
  }

  /** True when the SIMD kernel runs this stage. */
  get accelerated(): boolean {
    return this.kernel !== null;
  }

  /** Forgets the stream: the history holds only the silence before the next one. */
  reset(): void {
    this.m.fill(0, this.inAt, this.inAt + this.filter.half - 1);
    this.count = this.filter.half - 1;
    this.pos = 0;
    this.frac = 0;
  }

  /** Where the next `n` input samples go (workspace index); commit(n) once they are written. */
  reserve(n: number): number {
    this.compact();
    if (this.count + n > this.inCapacity) throw new Error('StreamingResampler: history buffer overflow (bug)');
    return this.inAt + this.count;
  }

  commit(n: number): void {
    this.count += n;
  }

  /** How many outputs have all their taps: output k needs pos + floor((frac + k*M) / L) + taps <= count. */
  ready(): number {
    const f = this.filter;
    const room = this.count - f.taps - this.pos;
    if (room < 0) return 0;
    return Math.floor(((room + 1) * f.L - 1 - this.frac) / f.M) + 1;
  }

  /** How many more input samples the next `n` outputs need beyond those present. */
  missingFor(n: number): number {
    if (n <= 0) return 0;
    const f = this.filter;
    const lastPos = this.pos + Math.floor((this.frac + (n - 1) * f.M) / f.L);
    return Math.max(0, lastPos + f.taps - this.count);
  }

  /** Appends `n` zeros: the silence after the stream. */
  padZeros(n: number): void {
    const at = this.reserve(n);
    this.m.fill(0, at, at + n);
    this.commit(n);
  }

  /** Computes the next `n` outputs (the caller has checked their taps are present) into m[dest, dest + n). */
  run(n: number, dest: number): void {
    if (n <= 0) return; // the kernel's loop runs at least once
    const f = this.filter;
    const x = this.inAt + this.pos;
    if (this.kernel) this.kernel(this.coefsAt * 4, f.taps * 4, f.L, x * 4, this.frac, this.stepWhole * 4, this.stepFrac, dest * 4, n);
    else if (f.exact) firExact(this.m, this.coefsAt, f.taps, f.L, x, this.frac, this.stepWhole, this.stepFrac, dest, n);
    else firInterpolated(this.m, this.coefsAt, f, x, this.frac, this.stepWhole, this.stepFrac, dest, n);
    // Advance over the n outputs exactly as the loops did, in closed form.
    const total = this.frac + n * this.stepFrac;
    this.pos += n * this.stepWhole + Math.floor(total / f.L);
    this.frac = total % f.L;
  }

  /** Drops history no output will need again. */
  private compact(): void {
    if (this.pos === 0) return;
    this.m.copyWithin(this.inAt, this.inAt + this.pos, this.inAt + this.count);
    this.count -= this.pos;
    this.pos = 0;
  }
}

/** The portable loop (same walk as the WASM kernel, summing in doubles; 4 accumulators for throughput). */
function firExact(m: Float32Array, coefsAt: number, taps: number, L: number, x: number, frac: number,
  stepWhole: number, stepFrac: number, out: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const c = coefsAt + frac * taps;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0; k < taps; k += 4) {
      s0 += m[c + k] * m[x + k];
      s1 += m[c + k + 1] * m[x + k + 1];
      s2 += m[c + k + 2] * m[x + k + 2];
      s3 += m[c + k + 3] * m[x + k + 3];
    }
    m[out + i] = (s0 + s1) + (s2 + s3);
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
  stepWhole: number, stepFrac: number, out: number, n: number): void {
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
    m[out + i] = s0 + t * (s1 - s0);
    x += stepWhole;
    frac += stepFrac;
    if (frac >= f.L) {
      frac -= f.L;
      x++;
    }
  }
}
