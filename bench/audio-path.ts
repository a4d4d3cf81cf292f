/**
 * The audio path without Node-RED around it, as audio-in drives it: PCM16 chunks in →
 * AudioInputStream (decode, down-mix, resample to 16 kHz) → Pcm16Framer (100 ms) → FramePacer
 * (fast) → RealtimeSession → append frames written on a real WebSocket to a sink in another
 * process. Figures: seconds of audio per CPU second of this process ("× real time on one core"),
 * and bytes allocated per second of audio.
 */
import { AudioInputStream, Pcm16Framer } from '../src/media/audio';
import { FramePacer } from '../src/media/pacer';
import { RealtimeSession } from '../src/client';
import { fromRounds, type BenchRow } from './row';
import type { ServerProcess } from './servers';
import { chunks, pcm16 } from './signal';
import { AllocationMeter, cpuSeconds, sleep } from './stats';

const CHUNK_MS = 100;
const RUNS = 5;
const ALLOC_RUNS = 3;

interface Path { push(chunk: Buffer): void; drained(): Promise<void>; close(): void; framesSent: number }

async function openPath(url: string, rate: number, channels: number): Promise<Path> {
  const session = new RealtimeSession({
    endpoint: url, apiKey: 'bench-key', reconnect: false,
    config: { modalities: ['text'], translation: { language: 'ja' } },
  });
  session.connect();
  for (let i = 0; session.state !== 'open'; i++) {
    if (i > 500) throw new Error(`bench: session did not open (${session.state})`);
    await sleep(10);
  }
  const stream = new AudioInputStream({ sampleRate: rate, channels, bitDepth: 16, float: false }, 16000);
  const framer = new Pcm16Framer(3200);
  const ws = (session as unknown as { ws: { bufferedAmount: number } }).ws;
  const path: Path = {
    framesSent: 0,
    push(chunk: Buffer) {
      pacer.push(framer.push(stream.push({ data: chunk })), false);
    },
    async drained() {
      while (ws.bufferedAmount > 0) await new Promise((r) => setImmediate(r));
    },
    close() {
      pacer.close();
      session.dispose();
    },
  };
  const pacer = new FramePacer(100, (frame) => { path.framesSent++; session.appendAudio(frame); });
  return path;
}

/** Streams `seconds` of audio as fast as the path takes it; returns CPU seconds and bytes allocated. */
async function run(path: Path, parts: Buffer[], seconds: number, meter?: AllocationMeter): Promise<number> {
  const total = Math.round((seconds * 1000) / CHUNK_MS);
  const cpu = process.cpuUsage();
  if (meter) meter.start();
  for (let i = 0; i < total; i++) {
    path.push(parts[i % parts.length]);
    // One second of audio at a time, then let the socket write it (as a live stream would).
    if (i % 10 === 9) await path.drained();
  }
  await path.drained();
  return cpuSeconds(cpu);
}

export async function audioPathRows(sink: ServerProcess, quick: boolean, problems: string[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const cases = [
    { id: 'audio.48k', name: '48 kHz stereo PCM16 → 16 kHz frames on the socket', rate: 48000, channels: 2 },
    { id: 'audio.16k', name: '16 kHz mono PCM16 (passthrough) → frames on the socket', rate: 16000, channels: 1 },
  ];
  for (const c of cases) {
    const parts = chunks(pcm16(c.rate, c.channels, 2.8), c.rate, c.channels, CHUNK_MS);
    await sink.reset();
    const path = await openPath(sink.url, c.rate, c.channels);
    const seconds = quick ? 20 : 300;
    const warm = quick ? 5 : 30;
    await run(path, parts, warm); // warm-up: JIT, WebAssembly, socket buffers
    const speeds: number[] = [];
    for (let r = 0; r < RUNS; r++) speeds.push(seconds / (await run(path, parts, seconds)));
    const allocSeconds = quick ? 10 : 60;
    const perSecond: number[] = [];
    for (let r = 0; r < ALLOC_RUNS; r++) {
      const meter = new AllocationMeter();
      await run(path, parts, allocSeconds, meter);
      perSecond.push(meter.stop() / allocSeconds / 1024);
    }
    path.close();
    // Every frame handed to the client must reach the sink, and there must be one per 100 ms of audio
    // (less the filter's look-ahead, which keeps the last frame back).
    const frames = path.framesSent;
    const expected = ((warm + RUNS * seconds + ALLOC_RUNS * allocSeconds) * 1000) / CHUNK_MS;
    if (frames < expected - 1 || frames > expected) problems.push(`${c.name}: ${frames} frames made from ${expected} × 100 ms of audio`);
    const got = await waitForAppends(sink, frames);
    if (got !== frames) problems.push(`${c.name}: the sink received ${got} append frames of ${frames} sent`);
    // The frames themselves are allocated: ~4.3 KB of JSON per 100 ms. Less means the meter missed allocations.
    if (Math.min(...perSecond) < 40) problems.push(`${c.name}: allocation meter read ${Math.min(...perSecond).toFixed(1)} KiB per audio second, less than the frames sent`);
    rows.push(fromRounds({ id: `${c.id}.speed`, group: 'audio path', name: `${c.name}: speed`, unit: '× real time (1 core)',
      note: `${RUNS} runs of ${seconds} s of audio` }, speeds));
    rows.push(fromRounds({ id: `${c.id}.alloc`, group: 'audio path', name: `${c.name}: allocation`, unit: 'KiB per audio second',
      note: `JS heap + Buffer memory allocated (GC profile), ${ALLOC_RUNS} runs of ${allocSeconds} s of audio` }, perSecond));
  }
  return rows;
}

async function waitForAppends(sink: ServerProcess, want: number): Promise<number> {
  let got = (await sink.counts()).appends;
  for (let i = 0, last = -1; i < 40 && got < want && got !== last; i++) {
    last = got;
    await sleep(250);
    got = (await sink.counts()).appends;
  }
  return got;
}
