/**
 * Media figures for `npm run bench`: resampling speed, frame conversion time, tokens per frame before
 * and after the budget, and billable audio seconds with and without the silence gate. Each function
 * returns rows; mediaRows() returns them all. Runnable alone: `npx tsx bench/media.ts`.
 */
import { cpus } from 'node:os';
import { AudioInputStream, Pcm16Framer, SilenceGate, StreamingResampler } from '../src/media/audio';
import { DEFAULT_BUDGET, fitBudget, imageTokens, isSharpAvailable, normalizeImage, type ImageBudget } from '../src/media/image';
import { EnergyVad } from '../src/simulator/vad';
import { speechBuffer } from '../test/support/fixtures';
import { fromRounds, type BenchRow } from './row';

const GROUP = 'media';

/**
 * CPU seconds of `work`, over one warm-up and `rounds` measured rounds. The kernel accounts process CPU
 * time in scheduler ticks (4 ms here), so a round must run for hundreds of milliseconds: rounds of
 * 10 s of audio (7 ms of CPU) read anything from 540× to 1,850× real time for the same code.
 */
function cpuRounds(rounds: number, work: () => void): number[] {
  work(); // warm-up: JIT tiers, WebAssembly compilation
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.cpuUsage();
    work();
    const d = process.cpuUsage(t0);
    times.push((d.user + d.system) / 1e6);
  }
  return times;
}

/**
 * 48 kHz stereo PCM16 → 16 kHz mono PCM16 (decode, down-mix, resample), as audio-in does it, on one core.
 * Each round streams `seconds` of audio (10 s of speech, looped) through one stream in 100 ms chunks.
 */
export function resampleRows(seconds = 600): BenchRow[] {
  const LOOP = 10;
  // Speech, repeated to 10 s, as 48 kHz stereo 16-bit.
  const clip = speechBuffer('The quick brown fox jumps over the lazy dog. She sells sea shells by the sea shore.', { rate: 48000, channels: 2, type: 'raw' });
  const bytes = Buffer.alloc(LOOP * 48000 * 4);
  for (let at = 0; at < bytes.length; at += clip.length) clip.copy(bytes, at, 0, Math.min(clip.length, bytes.length - at));
  const chunk = 48000 * 4 / 10; // 100 ms, as a microphone sends it
  const runs = cpuRounds(5, () => {
    const s = new AudioInputStream({ sampleRate: 48000, channels: 2, bitDepth: 16, float: false });
    for (let pass = 0; pass < seconds / LOOP; pass++) {
      for (let at = 0; at < bytes.length; at += chunk) s.push({ data: bytes.subarray(at, at + chunk) });
    }
    s.end();
  });
  const accelerated = new StreamingResampler(48000, 16000).accelerated;
  const x = new Float32Array(LOOP * 48000);
  for (let i = 0; i < x.length; i++) x[i] = clip.readInt16LE((i * 4) % (clip.length - 3)) / 32768;
  // The portable loop is ~6× slower: a sixth of the audio keeps its rounds as long.
  const jsSeconds = Math.max(LOOP, Math.round(seconds / 6 / LOOP) * LOOP);
  const js = cpuRounds(3, () => {
    const rs = new StreamingResampler(48000, 16000, { engine: 'js' });
    for (let pass = 0; pass < jsSeconds / LOOP; pass++) {
      for (let at = 0; at < x.length; at += 4800) rs.process(x.subarray(at, at + 4800));
    }
    rs.flush();
  });
  return [
    fromRounds({ id: 'media.resample48k', group: GROUP, name: 'resample 48 kHz stereo → 16 kHz mono (decode + down-mix + resample, 100 ms chunks)', unit: '× real time',
      note: `one core (${cpus()[0]?.model.trim() || 'unknown CPU'}), ${accelerated ? 'WASM SIMD' : 'JS'} inner loop, ${runs.length} runs of ${seconds} s` }, runs.map((t) => seconds / t)),
    fromRounds({ id: 'media.resample48kJs', group: GROUP, name: 'resample 48 kHz → 16 kHz, portable JS loop only', unit: '× real time',
      note: `the fallback where WebAssembly SIMD is missing; ${js.length} runs of ${jsSeconds} s` }, js.map((t) => jsSeconds / t)),
  ];
}

/** One 1080p camera frame → a JPEG within the budget (default: 1280×720, quality 80). */
export async function imageRows(budget: ImageBudget = DEFAULT_BUDGET): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const raw = imageTokens(1920, 1080);
  const fit = fitBudget(1920, 1080, budget);
  const after = imageTokens(fit.width, fit.height);
  const small = fitBudget(1920, 1080, { ...budget, maxTokens: 300 });
  rows.push({ id: 'media.tokens1080p', group: GROUP, name: 'tokens per 1080p frame, as captured', value: raw, unit: 'tokens', note: '0.5 token per started 28×28 px tile; ×2 frames/s = 216× the audio (12.5 tokens/s)' });
  rows.push({ id: 'media.tokensBudget', group: GROUP, name: `tokens per 1080p frame after the default budget (${fit.width}×${fit.height})`, value: after, unit: 'tokens', note: `${Math.round((1 - after / raw) * 100)} % less` });
  rows.push({ id: 'media.tokens300', group: GROUP, name: `tokens per 1080p frame with a 300-token budget (${small.width}×${small.height})`, value: imageTokens(small.width, small.height), unit: 'tokens' });
  if (!isSharpAvailable()) {
    throw new Error('bench: sharp is not installed, so the image figures cannot be measured (npm ci installs it)');
  }
  const { scene } = require('../test/support/image-fixtures') as typeof import('../test/support/image-fixtures');
  const png = await scene(1920, 1080, { noise: 12 }).png().toBuffer();
  const jpeg = await scene(1920, 1080, { noise: 12 }).jpeg({ quality: 90 }).toBuffer();
  for (const [what, input] of [['JPEG', jpeg], ['PNG', png]] as const) {
    await normalizeImage(input, budget); // warm-up: sharp's first call loads libvips
    const times: number[] = [];
    let out = 0;
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      const r = await normalizeImage(input, budget);
      times.push(performance.now() - t0);
      out = r.jpeg.length;
    }
    rows.push(fromRounds({ id: `media.image${what}`, group: GROUP, name: `one 1080p ${what} frame → ${fit.width}×${fit.height} JPEG`, unit: 'ms',
      note: `${times.length} frames; ${Math.round(input.length / 1024)} KB in, ${Math.round(out / 1024)} KB out (limit 500 KB)` }, times));
  }
  return rows;
}

/**
 * Billable seconds of a 60 s live recording with about a quarter of speech (three sentences between
 * silences), with and without the silence gate, and the speech the service's turn detection counts.
 */
export function gateRows(): BenchRow[] {
  const sentences = [
    'Good morning everyone. Welcome to the quarterly meeting.',
    'The weather today is sunny with a light breeze from the west, and the temperature will reach twenty degrees.',
    'Please remember to switch off your phones before the presentation starts.',
  ];
  const gaps = [6, 14, 13];
  const parts: Buffer[] = [];
  sentences.forEach((t, i) => parts.push(Buffer.alloc(gaps[i] * 32000), speechBuffer(t, { rate: 16000, type: 'raw' })));
  parts.push(Buffer.alloc(60 * 32000 - parts.reduce((n, p) => n + p.length, 0)));
  const pcm = Buffer.concat(parts);
  const framer = new Pcm16Framer(3200);
  const gate = new SilenceGate();
  const frames = framer.push(pcm);
  const sent = Buffer.concat(frames.flatMap((f) => gate.push(f)));
  let speechMs = 0;
  const vad = new EnergyVad({ silenceMs: 800, thresholdDb: -45 }, { onStart: () => undefined, onEnd: (s, e) => { speechMs += e - s; } });
  vad.push(pcm);
  vad.flush();
  const endSilence = 1;
  const without = pcm.length / 32000 + endSilence;
  const withGate = sent.length / 32000;
  // Deterministic (the gate decides on the audio alone), so one run is the figure.
  return [
    { id: 'media.billNoGate', group: GROUP, name: 'billable audio, 60 s live recording, no gate', value: without, unit: 's', note: `${without * 12.5} tokens; silence included (+${endSilence} s end silence)` },
    { id: 'media.billGate', group: GROUP, name: 'billable audio, same recording, silence gate (0.3 s pre-roll, 1.2 s hang-over)', value: withGate, unit: 's',
      note: `${Math.round(withGate * 12.5)} tokens` },
    { id: 'media.speechCounted', group: GROUP, name: 'speech the service\'s turn detection counts in the same recording', value: speechMs / 1000, unit: 's' },
    { id: 'media.gateOverSpeech', group: GROUP, name: 'billable audio with the gate ÷ speech counted', value: withGate / (speechMs / 1000), unit: '×' },
  ];
}

export async function mediaRows(quick = false): Promise<BenchRow[]> {
  return [...resampleRows(quick ? 60 : 600), ...(await imageRows()), ...gateRows()];
}

if (require.main === module) {
  mediaRows().then((rows) => {
    for (const r of rows) console.log(`${r.name}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}`);
  }, (e: Error) => {
    console.error(e);
    process.exitCode = 1;
  });
}
