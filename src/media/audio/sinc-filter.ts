/**
 * Kaiser-windowed sinc low-pass, laid out as a polyphase table for a rational resampling ratio: one stage of
 * the resampler (stage-plan.ts decides the stages and their bands).
 *
 * The output sample n sits at input position n * M / L (M/L = inRate/outRate in lowest terms), so only L
 * distinct fractional positions ("phases") ever occur: for every rate pair Node-RED flows use (8k, 11.025k,
 * 22.05k, 44.1k, 48k, 96k... to 16k) L is at most 640 and each output uses an exact precomputed phase.
 * For odd pairs with a huge L (47999 -> 16000) the table would not fit, so we store 1024 phases and
 * interpolate linearly between the two neighbours instead.
 */

/**
 * Stopband attenuation the Kaiser window is designed for. The promise is >= 80 dB rejection of everything at
 * or above the lower rate's Nyquist; designing for more leaves margin for the window formula's approximation
 * and the float32 coefficients.
 */
export const STOPBAND_DB = 90;
/**
 * Pass and stop band edges as fractions of the lower rate. The stop band starts exactly at its Nyquist (0.5),
 * so nothing folds back: at 16 kHz out, 8 kHz and above are rejected, and the pass band is flat to 7 kHz.
 */
export const PASS_EDGE = 0.4375;
export const STOP_EDGE = 0.5;
/** Taps per phase are padded to this multiple so the SIMD kernel can take 16 at a time without a tail. */
export const TAP_MULTIPLE = 16;

const MAX_EXACT_PHASES = 4096;
const MAX_TABLE_FLOATS = 1 << 20;
const INTERPOLATED_PHASES = 1024;

/** What one filter stage converts and where its bands lie (in Hz). */
export interface StageSpec {
  readonly inRate: number;
  readonly outRate: number;
  /** Flat up to here; rejected from here on. */
  readonly passHz: number;
  readonly stopHz: number;
  /** Stop band attenuation the window is designed for, in dB. */
  readonly stopbandDb: number;
}

export interface PolyphaseFilter {
  /** Output step in input samples is M / L (lowest terms). */
  readonly L: number;
  readonly M: number;
  /** The kernel spans input positions (-half, half) around the output's position. */
  readonly half: number;
  /** Coefficients per phase (>= 2 * half, padded with zeros to a multiple of TAP_MULTIPLE). */
  readonly taps: number;
  /** True: phase index = (n * M) mod L exactly. False: `phases - 1` steps, interpolated. */
  readonly exact: boolean;
  readonly phases: number;
  /** phases x taps; tap j of phase p weighs input sample (floor(pos) - half + 1 + j). */
  readonly coefs: Float32Array;
}

export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind, by its power series (converges fast for x < 30). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-21) break;
  }
  return sum;
}

/** Kaiser's estimate of the window length for the attenuation and transition width, padded as the kernel needs. */
export function kaiserSize(spec: StageSpec): { half: number; taps: number } {
  // In radians per input sample: the kernel runs on the input's time grid.
  const deltaOmega = (2 * Math.PI * (spec.stopHz - spec.passHz)) / spec.inRate;
  const length = Math.ceil((spec.stopbandDb - 7.95) / (2.285 * deltaOmega));
  const half = Math.ceil(length / 2);
  return { half, taps: Math.ceil((2 * half) / TAP_MULTIPLE) * TAP_MULTIPLE };
}

const cache = new Map<string, PolyphaseFilter>();

/** The (cached, shared, read-only) filter for a stage; callers copy `coefs` where they need it. */
export function polyphaseFilter(spec: StageSpec): PolyphaseFilter {
  const key = `${spec.inRate}:${spec.outRate}:${spec.passHz}:${spec.stopHz}:${spec.stopbandDb}`;
  let f = cache.get(key);
  if (!f) {
    f = design(spec);
    cache.set(key, f);
  }
  return f;
}

function design(spec: StageSpec): PolyphaseFilter {
  const { inRate, outRate } = spec;
  const g = gcd(inRate, outRate);
  const L = outRate / g;
  const M = inRate / g;
  // In cycles per input sample. The ideal low-pass cuts in the middle of the transition band; the window
  // shapes the band around it.
  const cutoff = (spec.passHz + spec.stopHz) / 2 / inRate;
  const beta = 0.1102 * (spec.stopbandDb - 8.7);
  const i0beta = besselI0(beta);
  const { half, taps } = kaiserSize(spec);

  const exact = L <= MAX_EXACT_PHASES && L * taps <= MAX_TABLE_FLOATS;
  // Interpolated tables carry one extra phase (fraction 1.0) so phase p+1 always exists.
  const phases = exact ? L : INTERPOLATED_PHASES + 1;
  const steps = exact ? L : INTERPOLATED_PHASES;
  const coefs = new Float32Array(phases * taps);
  const h = new Float64Array(2 * half);
  for (let p = 0; p < phases; p++) {
    const frac = p / steps;
    let sum = 0;
    for (let j = 0; j < 2 * half; j++) {
      // Distance from the output position to input sample (floor(pos) - half + 1 + j).
      const t = frac + half - 1 - j;
      const u = t / half;
      let v = 0;
      if (u > -1 && u < 1) {
        const x = 2 * cutoff * t;
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
        v = 2 * cutoff * sinc * (besselI0(beta * Math.sqrt(1 - u * u)) / i0beta);
      }
      h[j] = v;
      sum += v;
    }
    // Each phase sums to exactly 1, so DC passes at unity gain whatever the phase (no DC ripple pattern).
    for (let j = 0; j < 2 * half; j++) coefs[p * taps + j] = h[j] / sum;
  }
  return { L, M, half, taps, exact, phases, coefs };
}
