/**
 * Two independent resamplers to judge ours against: libsamplerate (SRC_SINC_BEST_QUALITY, the npm build) and
 * sox's `rate` effect (Debian's sox, default high quality, linear phase). Both are zero-delay like ours, so
 * outputs can be compared sample by sample.
 */
import { execFileSync } from 'node:child_process';

const LibSampleRate = require('@alexanderolsen/libsamplerate-js') as {
  create(channels: number, inRate: number, outRate: number, o: { converterType: number }): Promise<{ full(x: Float32Array): Float32Array; destroy(): void }>;
  ConverterType: { SRC_SINC_BEST_QUALITY: number };
};

export async function libsamplerate(x: Float32Array, inRate: number, outRate: number): Promise<Float32Array> {
  const src = await LibSampleRate.create(1, inRate, outRate, { converterType: LibSampleRate.ConverterType.SRC_SINC_BEST_QUALITY });
  try {
    return src.full(x);
  } finally {
    src.destroy();
  }
}

export function sox(x: Float32Array, inRate: number, outRate: number): Float32Array {
  const out = execFileSync('sox', ['-V1', '-t', 'f32', '-r', String(inRate), '-c', '1', '-', '-t', 'f32', '-r', String(outRate), '-c', '1', '-'],
    { input: Buffer.from(x.buffer, x.byteOffset, x.byteLength), maxBuffer: 1 << 28 });
  // Copy: the child's output Buffer may not be 4-byte aligned.
  return new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.length));
}

/**
 * The amplitude and phase of a tone at `freq` in y[from, to) by least squares, and what is left when it is
 * removed (everything that is not the tone: aliases, images, noise). For freq at or above rate / 2 the whole
 * signal is what is left.
 */
export function fitTone(y: ArrayLike<number>, rate: number, freq: number, from: number, to: number): { amplitude: number; restRms: number } {
  const n = to - from;
  if (freq >= rate / 2) {
    let s = 0;
    for (let i = from; i < to; i++) s += y[i] * y[i];
    return { amplitude: 0, restRms: Math.sqrt(s / n) };
  }
  let cc = 0, ss = 0, cs = 0, yc = 0, ys = 0;
  const w = (2 * Math.PI * freq) / rate;
  for (let i = from; i < to; i++) {
    const c = Math.cos(w * i), s = Math.sin(w * i);
    cc += c * c; ss += s * s; cs += c * s; yc += y[i] * c; ys += y[i] * s;
  }
  const det = cc * ss - cs * cs;
  const a = (yc * ss - ys * cs) / det;
  const b = (ys * cc - yc * cs) / det;
  let rest = 0;
  for (let i = from; i < to; i++) {
    const e = y[i] - (a * Math.cos(w * i) + b * Math.sin(w * i));
    rest += e * e;
  }
  return { amplitude: Math.hypot(a, b), restRms: Math.sqrt(rest / n) };
}
