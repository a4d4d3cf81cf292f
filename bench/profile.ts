/**
 * Where a session's CPU goes, step by step: each step of a session's steady state timed alone on the data it
 * really sees, per 100 ms audio frame (48 kHz stereo in) and per server event. CPU time per operation, median
 * of rounds. The whole session's CPU per frame is the scale rows' "CPU per second of audio" ÷ 10: what these
 * steps do not add up to is Node-RED (message passing, node wrappers), timers and ws's receive side.
 * Runnable alone: `npx tsx bench/profile.ts`.
 */
import { audioAppendFrame } from '../src/client/append-frames';
import { maskingFor } from '../src/client/socket-open';
import WebSocket from 'ws';
import { AudioInputStream, Pcm16Framer, SilenceGate, StreamingResampler } from '../src/media/audio';
import { FramePacer } from '../src/media/pacer';
import { decodeToMonoInto } from '../src/media/audio/pcm';
import type { WavFormat } from '../src/media/audio/wav';
import { dirname, join } from 'node:path';
import { parseServerFrame, type ServerEvent } from '../src/protocol';
import { TranslationMessages } from '../src/output/translation-messages';
import { fromRounds, type BenchRow } from './row';
import { startServer } from './servers';
import { pcm16 } from './signal';

const FRAME_GROUP = 'profile: per 100 ms audio frame, 48 kHz stereo in (µs of CPU)';
const EVENT_GROUP = 'profile: per server event (µs of CPU)';
const ROUNDS = 5;

/** CPU µs per call of fn, median over rounds of `n` calls. */
function time(n: number, fn: (i: number) => unknown): number[] {
  const rounds: number[] = [];
  let sink = 0;
  for (let i = 0; i < n; i++) if (fn(i)) sink++; // warm-up: JIT
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < n; i++) if (fn(i)) sink++;
    const d = process.cpuUsage(t0);
    rounds.push((d.user + d.system) / n);
  }
  if (sink < 0) throw new Error('unreachable');
  return rounds;
}

function frameRows(n: number): BenchRow[] {
  const format: WavFormat = { sampleRate: 48000, channels: 2, bitDepth: 16, float: false };
  const pcm = pcm16(48000, 2, 2.8);
  const chunkBytes = 19200;
  const chunks = Array.from({ length: Math.floor(pcm.length / chunkBytes) }, (_, i) => pcm.subarray(i * chunkBytes, (i + 1) * chunkBytes));
  const scratch = new Float32Array(4800);
  const monos = chunks.map((c) => Float32Array.from(decodeToMonoInto(c, format, scratch)));
  const rs = new StreamingResampler(48000, 16000);
  const framer = new Pcm16Framer(3200);
  const frames = monos.flatMap((m) => framer.push(rs.processPcm16(m)));
  const gate = new SilenceGate();
  const b64 = frames.map((f) => f.toString('base64'));
  const appends = frames.map((f) => Buffer.from(audioAppendFrame(f), 'latin1'));
  // ws's own masking function (not among its exports; the file sits beside its entry point).
  const { mask } = require(join(dirname(require.resolve('ws')), 'lib', 'buffer-util.js')) as { mask(src: Buffer, m: Buffer, out: Buffer, offset: number, length: number): void };
  const key = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.alloc(appends[0].length + 16);
  const pick = <T>(xs: T[], i: number) => xs[i % xs.length];
  const row = (id: string, name: string, rounds: number[], note?: string) =>
    fromRounds({ id: `profile.frame.${id}`, group: FRAME_GROUP, name, unit: 'µs', note }, rounds);
  const input48 = new AudioInputStream({ sampleRate: 48000, channels: 2, bitDepth: 16, float: false });
  const chunks16 = frames.map((f) => Buffer.from(f));
  const input16 = new AudioInputStream({ sampleRate: 16000, channels: 1, bitDepth: 16, float: false });
  const framer16 = new Pcm16Framer(3200);
  let paced = 0;
  const pacer = new FramePacer(100, () => { paced++; });
  const rows = [
    row('input48k', 'audio in stream, 48 kHz stereo chunk → 16 kHz PCM16 (all of decode, resample, checks)', time(n, (i) => input48.push({ data: pick(chunks, i) }).length)),
    row('input16k', 'audio in stream, 16 kHz mono chunk (passthrough: checks and one copy)', time(n, (i) => input16.push({ data: pick(chunks16, i) }).length)),
    row('framePace', 'framer + pacer of one frame (live input: sent at once)', time(n, (i) => { pacer.push(framer16.push(pick(chunks16, i)), false); return paced; })),
    row('decode', 'decode PCM16 + down-mix to mono', time(n, (i) => decodeToMonoInto(pick(chunks, i), format, scratch).length)),
    row('resample', 'resample 48 → 16 kHz, to PCM16', time(n, (i) => rs.processPcm16(pick(monos, i)).length)),
    row('gate', 'silence gate (when on)', time(n, (i) => gate.push(pick(frames, i)).length)),
    row('base64', 'base64 of the 3,200-byte frame', time(n, (i) => pick(frames, i).toString('base64').length)),
    row('json', 'append frame (JSON around the base64, one string)', time(n, (i) => audioAppendFrame(pick(frames, i)).length), 'includes the base64 above'),
    row('mask', 'WebSocket masking of the frame (ws, JavaScript; only over plain ws:// to another host)', time(n, (i) => { mask(pick(appends, i), key, masked, 0, appends[0].length); return 1; }),
      `${appends[0].length} bytes; ${b64[0].length} of them base64`),
  ];
  pacer.close();
  return rows;
}

/** ws.send of one append frame to a sink in another process: frame header, masking, the write system call. */
async function sendRows(n: number): Promise<BenchRow[]> {
  const sink = await startServer('sink');
  try {
    const frame = audioAppendFrame(Buffer.alloc(3200, 3));
    // Masked as a session masks it: over wss:// or loopback, with the key 0 (src/client/socket-open.ts).
    const ws = new WebSocket(sink.url, { perMessageDeflate: false, ...maskingFor(sink.url) });
    await new Promise<void>((ok, fail) => { ws.once('open', () => ok()); ws.once('error', fail); });
    const rounds: number[] = [];
    for (let r = 0; r <= ROUNDS; r++) {
      const t0 = process.cpuUsage();
      for (let i = 0; i < n; i++) {
        ws.send(frame, { binary: false });
        // Ten frames (a second of audio) at a time, then let the socket drain, as a live stream would.
        if (i % 10 === 9) while (ws.bufferedAmount > 0) await new Promise((ok) => setImmediate(ok));
      }
      const d = process.cpuUsage(t0);
      if (r > 0) rounds.push((d.user + d.system) / n); // round 0 warms up
    }
    ws.close();
    return [fromRounds({ id: 'profile.frame.send', group: FRAME_GROUP, name: 'ws send of the append frame on a real socket (header, write; key 0 as over wss://)', unit: 'µs',
      note: 'one call per frame, ten frames between drains' }, rounds)];
  } finally {
    await sink.stop();
  }
}

function eventRows(n: number): BenchRow[] {
  const ref = { response_id: 'resp_1', item_id: 'item_1', output_index: 0, content_index: 0 };
  const delta = Buffer.alloc(4800, 7).toString('base64'); // 100 ms of 24 kHz PCM16
  const texts = {
    text: JSON.stringify({ type: 'response.audio_transcript.text', ...ref, text: 'Guten Morgen, alle zusammen.', stash: ' Willkommen' }),
    audio: JSON.stringify({ type: 'response.audio.delta', ...ref, delta }),
  };
  const mapper = new TranslationMessages({ partials: true, audioFormat: 'pcm' });
  mapper.handle({ type: 'session.created', session: { id: 's', translation: { language: 'de' }, input_audio_transcription: { model: 'm', language: 'en' } } } as unknown as ServerEvent);
  const events = { text: parseServerFrame(texts.text), audio: parseServerFrame(texts.audio) };
  const { cloneMessage } = (require('@node-red/util') as { util: { cloneMessage(m: object): object } }).util;
  const outText = mapper.handle((events.text as { event: ServerEvent }).event)[0].msg;
  const outAudio = mapper.handle((events.audio as { event: ServerEvent }).event)[0].msg;
  const row = (id: string, name: string, rounds: number[], note?: string) =>
    fromRounds({ id: `profile.event.${id}`, group: EVENT_GROUP, name, unit: 'µs', note }, rounds);
  return [
    row('parseText', 'parse a text delta (JSON.parse + checks)', time(n, () => parseServerFrame(texts.text).kind), `${texts.text.length} bytes`),
    row('parseAudio', 'parse an audio delta', time(n, () => parseServerFrame(texts.audio).kind), `${texts.audio.length} bytes`),
    row('mapText', 'map a text delta to its message', time(n, () => mapper.handle((events.text as { event: ServerEvent }).event).length)),
    row('mapAudio', 'map an audio delta to its message (base64 → Buffer)', time(n, () => mapper.handle((events.audio as { event: ServerEvent }).event).length)),
    row('cloneText', 'Node-RED cloneMessage of the text message', time(n, () => cloneMessage(outText) !== outText), 'what Node-RED pays per extra wire'),
    row('cloneAudio', 'Node-RED cloneMessage of the audio message', time(n, () => cloneMessage(outAudio) !== outAudio)),
  ];
}

export async function profileRows(quick = false): Promise<BenchRow[]> {
  const n = quick ? 300 : 3000;
  return [...frameRows(n), ...(await sendRows(n)), ...eventRows(n)];
}

if (require.main === module) {
  void profileRows().then((rows) => {
    for (const r of rows) console.log(`${r.group} | ${r.name}: ${r.value.toFixed(2)} ${r.unit} [${r.spread?.min.toFixed(2)}–${r.spread?.max.toFixed(2)}]`);
    process.exit(0);
  });
}
