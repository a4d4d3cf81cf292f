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
import type { BenchRow } from './row';
import type { ServerProcess } from './servers';
import { chunks, pcm16 } from './signal';
import { AllocationMeter, cpuSeconds, median, sleep } from './stats';

const CHUNK_MS = 100;
const RUNS = 5;

interface Path { push(chunk: Buffer): void; drained(): Promise<void>; close(): void }

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
  const pacer = new FramePacer(100, (frame) => session.appendAudio(frame));
  const ws = (session as unknown as { ws: { bufferedAmount: number } }).ws;
  return {
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

export async function audioPathRows(sink: ServerProcess, quick = false): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const cases = [
    { name: '48 kHz stereo PCM16 → 16 kHz frames on the socket', rate: 48000, channels: 2 },
    { name: '16 kHz mono PCM16 (passthrough) → frames on the socket', rate: 16000, channels: 1 },
  ];
  for (const c of cases) {
    const parts = chunks(pcm16(c.rate, c.channels, 2.8), c.rate, c.channels, CHUNK_MS);
    const path = await openPath(sink.url, c.rate, c.channels);
    const seconds = quick ? 20 : 300;
    await run(path, parts, quick ? 5 : 30); // warm-up: JIT, WebAssembly, socket buffers
    const speeds: number[] = [];
    for (let r = 0; r < RUNS; r++) speeds.push(seconds / (await run(path, parts, seconds)));
    const meter = new AllocationMeter();
    const allocSeconds = quick ? 10 : 60;
    await run(path, parts, allocSeconds, meter);
    const allocated = meter.stop() / allocSeconds;
    path.close();
    rows.push({ group: 'audio path', name: `${c.name}: speed`, value: median(speeds), unit: '× real time (1 core)',
      note: `median of ${RUNS} runs of ${seconds} s of audio; min ${Math.round(Math.min(...speeds))}, max ${Math.round(Math.max(...speeds))}` });
    rows.push({ group: 'audio path', name: `${c.name}: allocation`, value: allocated / 1024, unit: 'KiB per audio second',
      note: `JS heap + Buffer memory allocated (GC profile), ${allocSeconds} s of audio` });
  }
  return rows;
}
