/** Audio measures for simulator tests (PCM16 LE mono). */

/** Levels of consecutive windows of `windowSamples`, in dBFS. */
export function windowLevels(pcm: Buffer, windowSamples: number): number[] {
  const out: number[] = [];
  for (let off = 0; off + windowSamples * 2 <= pcm.length; off += windowSamples * 2) {
    let sum = 0;
    for (let i = 0; i < windowSamples; i++) {
      const v = pcm.readInt16LE(off + i * 2);
      sum += v * v;
    }
    const rms = Math.sqrt(sum / windowSamples) / 32768;
    out.push(rms > 0 ? 20 * Math.log10(rms) : -Infinity);
  }
  return out;
}

/** Milliseconds from the start to the first and after the last sample louder than `floor`. */
export function soundSpan(pcm: Buffer, rate: number, floor = 64): { firstMs: number; lastMs: number } {
  const n = pcm.length / 2;
  let first = -1;
  let last = -1;
  for (let i = 0; i < n; i++) {
    if (Math.abs(pcm.readInt16LE(i * 2)) > floor) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return { firstMs: (first * 1000) / rate, lastMs: ((last + 1) * 1000) / rate };
}

/** A sine tone, 16 kHz PCM16, at `dbfs` peak level. */
export function tone(seconds: number, freq = 440, dbfs = -12, rate = 16000): Buffer {
  const n = Math.round(seconds * rate);
  const amp = 32767 * 10 ** (dbfs / 20);
  const out = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) out.writeInt16LE(Math.round(amp * Math.sin((2 * Math.PI * freq * i) / rate)), i * 2);
  return out;
}
