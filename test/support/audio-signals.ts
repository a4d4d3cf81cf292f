/** Signals, measurements and hand-built WAV headers for the audio tests. */

export function sine(rate: number, freq: number, seconds: number, amp = 0.9): Float32Array {
  const n = Math.round(rate * seconds);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate);
  return x;
}

export function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
}

export function db(ratio: number): number {
  return 20 * Math.log10(ratio);
}

export function concatF32(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Deterministic pseudo-random numbers (so a failing chunking test can be replayed). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/**
 * A steep linear-phase low-pass (Kaiser-windowed sinc, ~-100 dB stopband, zero delay: the kernel is centred),
 * used to compare two resamplers only where both promise a flat response.
 */
export function lowPass(x: Float32Array, rate: number, cutoffHz: number, halfTaps = 400): Float64Array {
  const beta = 10;
  const i0 = (v: number) => {
    let sum = 1, term = 1;
    for (let k = 1; k < 100; k++) {
      term *= (v * v) / 4 / (k * k);
      sum += term;
    }
    return sum;
  };
  const fc = cutoffHz / rate;
  const h = new Float64Array(2 * halfTaps + 1);
  let sum = 0;
  for (let k = -halfTaps; k <= halfTaps; k++) {
    const u = k / (halfTaps + 1);
    const t = 2 * fc * k;
    const v = 2 * fc * (t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t)) * (i0(beta * Math.sqrt(1 - u * u)) / i0(beta));
    h[k + halfTaps] = v;
    sum += v;
  }
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let s = 0;
    const lo = Math.max(-halfTaps, -i);
    const hi = Math.min(halfTaps, x.length - 1 - i);
    for (let k = lo; k <= hi; k++) s += (h[k + halfTaps] / sum) * x[i + k];
    y[i] = s;
  }
  return y;
}

/** SNR of `test` against `ref` (dB) and the largest absolute difference, over [from, to). */
export function compare(ref: ArrayLike<number>, test: ArrayLike<number>, from: number, to: number): { snr: number; maxDiff: number } {
  let sig = 0, err = 0, maxDiff = 0;
  for (let i = from; i < to; i++) {
    const e = test[i] - ref[i];
    sig += ref[i] * ref[i];
    err += e * e;
    maxDiff = Math.max(maxDiff, Math.abs(e));
  }
  return { snr: 10 * Math.log10(sig / err), maxDiff };
}

export interface WavSpec {
  formatTag?: number;
  channels: number;
  sampleRate: number;
  bits: number;
  /** Written as given (default: correct); the reader must not trust it. */
  blockAlign?: number;
  byteRate?: number;
  /** Write a 40-byte WAVE_FORMAT_EXTENSIBLE fmt chunk with this sub-format tag (1 PCM, 3 float). */
  extensible?: number;
  /** Chunks to put between fmt and data (e.g. LIST, fact). Odd sizes get their pad byte. */
  before?: Array<{ id: string; body: Buffer }>;
  /** Value of the data chunk's size field (default: the data's length). */
  dataSize?: number;
  data: Buffer;
  /** Bytes after the data chunk (e.g. a trailing LIST chunk). */
  after?: Buffer;
}

function chunk(id: string, body: Buffer, sizeField = body.length): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'ascii');
  head.writeUInt32LE(sizeField >>> 0, 4);
  return Buffer.concat([head, body, body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

export function listChunk(text: string): { id: string; body: Buffer } {
  const info = chunk('ISFT', Buffer.from(text + '\0', 'ascii'));
  return { id: 'LIST', body: Buffer.concat([Buffer.from('INFO', 'ascii'), info]) };
}

/** A WAV with exactly the header fields asked for, right or wrong. */
export function buildWav(s: WavSpec): Buffer {
  const blockAlign = s.blockAlign ?? (s.channels * s.bits) / 8;
  const fmt = Buffer.alloc(s.extensible !== undefined ? 40 : 16);
  fmt.writeUInt16LE(s.extensible !== undefined ? 0xfffe : (s.formatTag ?? 1), 0);
  fmt.writeUInt16LE(s.channels, 2);
  fmt.writeUInt32LE(s.sampleRate, 4);
  fmt.writeUInt32LE(s.byteRate ?? s.sampleRate * blockAlign, 8);
  fmt.writeUInt16LE(blockAlign, 12);
  fmt.writeUInt16LE(s.bits, 14);
  if (s.extensible !== undefined) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(s.bits, 18);
    fmt.writeUInt32LE(s.channels === 2 ? 3 : 4, 20);
    Buffer.from([s.extensible, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71]).copy(fmt, 24);
  }
  const body = Buffer.concat([
    Buffer.from('WAVE', 'ascii'),
    chunk('fmt ', fmt),
    ...(s.before ?? []).map((c) => chunk(c.id, c.body)),
    chunk('data', s.data, s.dataSize ?? s.data.length).subarray(0, 8 + s.data.length),
    s.data.length % 2 && s.after ? Buffer.alloc(1) : Buffer.alloc(0),
    s.after ?? Buffer.alloc(0),
  ]);
  return Buffer.concat([chunk('RIFF', body).subarray(0, 8), body]);
}

/** Little-endian sample bytes of floats in [-1, 1] at a given depth (8-bit unsigned, as in WAV). */
export function encodeSamples(x: ArrayLike<number>, bits: 8 | 16 | 24 | 32, float = false): Buffer {
  const bytes = bits / 8;
  const out = Buffer.alloc(x.length * bytes);
  for (let i = 0; i < x.length; i++) {
    const v = Math.max(-1, Math.min(1, x[i]));
    if (float) out.writeFloatLE(v, i * 4);
    else if (bits === 8) out[i] = Math.max(0, Math.min(255, Math.round(v * 128 + 128)));
    else if (bits === 16) out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32768))), i * 2);
    else if (bits === 24) out.writeIntLE(Math.max(-8388608, Math.min(8388607, Math.round(v * 8388608))), i * 3, 3);
    else out.writeInt32LE(Math.max(-2147483648, Math.min(2147483647, Math.round(v * 2147483648))), i * 4);
  }
  return out;
}
