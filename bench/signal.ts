/**
 * Speech-like test audio: bursts of voiced sound (a few harmonics, syllable-rate amplitude
 * modulation) separated by silence long enough for the service's turn detection to answer.
 */
export const CYCLE_SECONDS = 2.8;
const VOICED_SECONDS = 1.6;

export function speechLikeFloat(rate: number, seconds: number, seed = 1): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  let s = seed;
  const noise = () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32 - 0.5; };
  for (let i = 0; i < out.length; i++) {
    const t = i / rate;
    const inCycle = t % CYCLE_SECONDS;
    let v = noise() * 0.0002;
    if (inCycle < VOICED_SECONDS) {
      const env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * inCycle);
      const f0 = 140 + 20 * Math.sin(2 * Math.PI * 0.7 * t);
      v += 0.18 * env * (Math.sin(2 * Math.PI * f0 * t) + 0.5 * Math.sin(4 * Math.PI * f0 * t) + 0.25 * Math.sin(6 * Math.PI * f0 * t));
      v += 0.01 * noise();
    }
    out[i] = v;
  }
  return out;
}

/** Interleaved PCM16 little-endian, the same signal in every channel. */
export function pcm16(rate: number, channels: number, seconds: number, seed = 1): Buffer {
  const mono = speechLikeFloat(rate, seconds, seed);
  const buf = Buffer.alloc(mono.length * channels * 2);
  let at = 0;
  for (let i = 0; i < mono.length; i++) {
    const v = Math.max(-32768, Math.min(32767, Math.round(mono[i] * 32767)));
    for (let c = 0; c < channels; c++) { buf.writeInt16LE(v, at); at += 2; }
  }
  return buf;
}

/** The signal cut into chunks of `ms` (views into one buffer). */
export function chunks(pcm: Buffer, rate: number, channels: number, ms: number): Buffer[] {
  const bytes = (rate * channels * 2 * ms) / 1000;
  const out: Buffer[] = [];
  for (let at = 0; at + bytes <= pcm.length; at += bytes) out.push(pcm.subarray(at, at + bytes));
  return out;
}
