/**
 * Synthetic "translated speech": 24 kHz mono PCM16 whose length follows the text (see
 * speakingTimeMs) and which looks like speech to anything that measures it — voiced syllables
 * (a few harmonics over a gliding pitch, each with its own envelope) separated by silences at
 * spaces and punctuation. Deterministic, so tests can rely on it. It is not meant to be heard.
 */
import { OUTPUT_SAMPLE_RATE } from '../protocol/catalog';
import { isWideChar, speakingTimeMs } from './text';

const MALE_VOICES = new Set(['Nofish', 'Dylan', 'Peter', 'Eric']);
const HARMONICS = [1, 0.6, 0.45, 0.3, 0.2, 0.12];
const HARMONIC_SUM = HARMONICS.reduce((a, b) => a + b, 0);
const PEAK = 0.3 * 32767;
const RAMP_S = 0.025;

function isPause(ch: string): boolean {
  return /[\s\p{P}]/u.test(ch);
}

interface Syllable { start: number; length: number }

/** Where the syllables fall: up to 3 latin letters or one wide character each. */
function syllables(chars: string[]): { list: Syllable[]; total: number } {
  const list: Syllable[] = [];
  let ms = 0;
  const at = (t: number) => Math.round((t * OUTPUT_SAMPLE_RATE) / 1000);
  const charMs = (ch: string) => speakingTimeMs(ch) || 70;
  let i = 0;
  while (i < chars.length) {
    if (isPause(chars[i])) {
      ms += charMs(chars[i]);
      i++;
      continue;
    }
    const startMs = ms;
    let n = 0;
    while (i < chars.length && !isPause(chars[i]) &&
      (n === 0 || (n < 3 && !isWideChar(chars[i]) && !isWideChar(chars[i - 1])))) {
      ms += charMs(chars[i]);
      i++;
      n++;
    }
    list.push({ start: at(startMs), length: at(ms) - at(startMs) });
  }
  return { list, total: at(ms) };
}

/** PCM16 LE, 24 kHz, mono; its duration is speakingTimeMs(text). */
export function synthesizeSpeech(text: string, voice = 'Cherry'): Buffer {
  const chars = [...text.trim()];
  const { list, total } = syllables(chars);
  const out = Buffer.alloc(total * 2);
  const baseF0 = MALE_VOICES.has(voice) ? 120 : 210;
  let phase = 0;
  list.forEach((syl, index) => {
    // Declination over the sentence, a small rise-fall within each syllable.
    const decl = 1 - 0.12 * (list.length > 1 ? index / (list.length - 1) : 0);
    for (let n = 0; n < syl.length; n++) {
      const t = n / OUTPUT_SAMPLE_RATE;
      const len = syl.length / OUTPUT_SAMPLE_RATE;
      const f0 = baseF0 * decl * (1 + 0.06 * Math.sin((Math.PI * n) / syl.length));
      phase += (2 * Math.PI * f0) / OUTPUT_SAMPLE_RATE;
      const ramp = Math.min(1, t / RAMP_S, (len - t) / RAMP_S);
      const env = 0.5 - 0.5 * Math.cos(Math.PI * Math.max(0, ramp));
      let v = 0;
      for (let k = 0; k < HARMONICS.length; k++) v += HARMONICS[k] * Math.sin((k + 1) * phase);
      out.writeInt16LE(Math.round((PEAK * env * v) / HARMONIC_SUM), (syl.start + n) * 2);
    }
  });
  return out;
}

/** Splits PCM16 into chunks of at most `ms` milliseconds at 24 kHz (the audio.delta payloads). */
export function chunkPcm(pcm: Buffer, ms: number): Buffer[] {
  const size = Math.round((OUTPUT_SAMPLE_RATE * ms) / 1000) * 2;
  const out: Buffer[] = [];
  for (let off = 0; off < pcm.length; off += size) out.push(pcm.subarray(off, off + size));
  return out;
}
