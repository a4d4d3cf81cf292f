/**
 * N kiosks in one Node-RED process, each streaming real-time microphone audio (100 ms messages)
 * to a session and receiving the replies of the simulator, which runs in another process.
 * `ours`: livetranslate-session + audio-in + translation-out per kiosk.
 * `peer`: what a user builds without this package: a websocket-client (Authorization header),
 * a function node doing Buffer → base64 → JSON.stringify into `websocket out`, and `websocket in`
 * into a function node doing JSON.parse and routing by event type to four outputs.
 */
import { DEFAULT_OPTIONS, toWireConfig } from '../src/protocol';
import { optionsFrom } from '../src/glue/session-settings';
import { Lane, attachSocket, installProbes, watchExit } from './probe';
import type { EmbeddedRed, RedNode } from './red';
import type { ServerProcess } from './servers';
import { chunks, CYCLE_SECONDS, pcm16 } from './signal';
import { cpuSeconds, median, nowMs, percentile, sleep } from './stats';

export type Kind = 'ours' | 'peer';

export interface StreamingOptions {
  kind: Kind;
  sessions: number;
  /** Input audio format of the messages (the peer only takes what the service takes: 16 kHz mono). */
  sampleRate: number;
  channels: number;
  /** Seconds of audio measured (after the warm-up). */
  seconds: number;
  warmupSeconds?: number;
}

export interface StreamingResult {
  kind: Kind;
  sessions: number;
  /** Median over 2 s windows of CPU seconds per wall second (1 = one core). */
  cpuShare: number;
  cpuWindows: number;
  /** CPU seconds per second of audio streamed (all sessions), from the median window. */
  cpuPerAudioSecond: number;
  rssMiB: number;
  sendP50: number;
  sendP99: number;
  recvP50: number;
  recvP99: number;
  framesHanded: number;
  framesReceived: number;
  framesDropped: number;
  messagesOut: number;
  /** Longest gap between two 10 ms driver ticks in the measured window (event-loop stall). */
  maxTickGapMs: number;
}

const KEY = 'bench-key';
const CHUNK_MS = 100;
const SETTINGS = { sourceLanguage: 'en', targetLanguage: 'ja', output: 'text+audio', voice: 'Cherry', transcription: true };

const ENCODE = `if (msg.topic === 'session.update') {
  return { payload: JSON.stringify({ type: 'session.update', session: msg.payload }) };
}
return { payload: JSON.stringify({ type: 'input_audio_buffer.append', audio: msg.payload.toString('base64') }) };`;

const ROUTE = `const ev = JSON.parse(msg.payload);
switch (ev.type) {
  case 'response.audio_transcript.text':
  case 'response.text.text':
    return [{ topic: 'translation', payload: ev.text + (ev.stash || ''), partial: true, event: ev }, null, null, null];
  case 'response.audio_transcript.done':
    return [{ topic: 'translation', payload: ev.transcript, partial: false, event: ev }, null, null, null];
  case 'response.text.done':
    return [{ topic: 'translation', payload: ev.text, partial: false, event: ev }, null, null, null];
  case 'conversation.item.input_audio_transcription.text':
    return [null, { topic: 'transcript', payload: ev.text + (ev.stash || ''), partial: true, event: ev }, null, null];
  case 'conversation.item.input_audio_transcription.completed':
    return [null, { topic: 'transcript', payload: ev.transcript, partial: false, event: ev }, null, null];
  case 'response.audio.delta':
    return [null, null, { topic: 'audio', payload: Buffer.from(ev.delta, 'base64'), sampleRate: 24000 }, null];
  default:
    return [null, null, null, { topic: ev.type, payload: ev }];
}`;

function ourFlow(url: string, n: number, o: StreamingOptions): object[] {
  const flow: object[] = [];
  for (let i = 0; i < n; i++) {
    flow.push(
      { id: `sess${i}`, type: 'livetranslate-session', name: `kiosk ${i}`, endpoint: 'custom', url, model: 'qwen3-livetranslate-flash-realtime',
        ...SETTINGS, connectMode: 'deploy', idleTimeout: 60, allowInsecure: false },
      { id: `in${i}`, type: 'livetranslate-audio-in', session: `sess${i}`, sampleRate: o.sampleRate, channels: o.channels, bitDepth: 16,
        encoding: 'signed', pacing: 'auto', endSilence: 1, finishAtEnd: false, gate: 'off', wires: [] },
      { id: `out${i}`, type: 'livetranslate-translation-out', session: `sess${i}`, partials: true, audioFormat: 'pcm', wires: [[], [], [], []] },
    );
  }
  return flow;
}

function peerFlow(url: string, n: number): object[] {
  const flow: object[] = [];
  const fn = (id: string, func: string, outputs: number, wires: string[][]) =>
    ({ id, type: 'function', name: id, func, outputs, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], wires });
  for (let i = 0; i < n; i++) {
    flow.push(
      { id: `wsc${i}`, type: 'websocket-client', path: `${url}?model=qwen3-livetranslate-flash-realtime`, tls: '', wholemsg: 'false', hb: '0', subprotocol: '',
        headers: [{ keyType: 'other', keyValue: 'Authorization', valueType: 'other', valueValue: `Bearer ${KEY}` }] },
      fn(`enc${i}`, ENCODE, 1, [[`wout${i}`]]),
      { id: `wout${i}`, type: 'websocket out', name: '', server: '', client: `wsc${i}`, wires: [] },
      { id: `win${i}`, type: 'websocket in', name: '', server: '', client: `wsc${i}`, wires: [[`route${i}`]] },
      fn(`route${i}`, ROUTE, 4, [[], [], [], []]),
    );
  }
  return flow;
}

async function waitUntil(what: string, fn: () => boolean, ms = 30000): Promise<void> {
  const start = Date.now();
  while (!fn()) {
    if (Date.now() - start > ms) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface Realtime { state: string; appendAudio(b: Buffer): void }

export async function runStreaming(red: EmbeddedRed, server: ServerProcess, o: StreamingOptions): Promise<StreamingResult> {
  installProbes();
  const n = o.sessions;
  const warmup = o.warmupSeconds ?? 3;
  await server.reset();
  // The session nodes take the key from the environment when their credential is blank.
  process.env.DASHSCOPE_API_KEY = KEY;
  await red.deploy(o.kind === 'ours' ? ourFlow(server.url, n, o) : peerFlow(server.url, n));
  const lanes = Array.from({ length: n }, () => new Lane());
  const entries: RedNode[] = [];
  let handed = 0;
  if (o.kind === 'ours') {
    await waitUntil('sessions to open', () => {
      for (let i = 0; i < n; i++) {
        const rt = red.node(`sess${i}`).realtime as Realtime | undefined;
        if (!rt || rt.state !== 'open') return false;
      }
      return true;
    });
    for (let i = 0; i < n; i++) {
      const rt = red.node(`sess${i}`).realtime as Realtime & { ws: object };
      attachSocket(rt.ws, lanes[i]);
      const append = rt.appendAudio.bind(rt);
      rt.appendAudio = (b: Buffer) => { handed++; append(b); };
      watchExit(red.node(`out${i}`), lanes[i], 'same-call');
      entries.push(red.node(`in${i}`));
    }
  } else {
    await waitUntil('websockets to open', () => {
      for (let i = 0; i < n; i++) {
        const ws = red.node(`wsc${i}`).server as { readyState?: number } | undefined;
        if (!ws || ws.readyState !== 1) return false;
      }
      return true;
    });
    const config = toWireConfig(optionsFrom(SETTINGS, DEFAULT_OPTIONS));
    for (let i = 0; i < n; i++) {
      attachSocket(red.node(`wsc${i}`).server as object, lanes[i]);
      watchExit(red.node(`route${i}`), lanes[i], 'by-payload');
      const enc = red.node(`enc${i}`);
      enc.receive({ topic: 'session.update', payload: config });
      const receive = enc.receive.bind(enc);
      enc.receive = (msg: object) => { handed++; receive(msg); };
      entries.push(enc);
    }
    await sleep(300);
  }

  // One driver timer for all kiosks; each sends its next 100 ms chunk when its time comes,
  // kiosks evenly spread over the 100 ms.
  const pcm = pcm16(o.sampleRate, o.channels, CYCLE_SECONDS);
  const parts = chunks(pcm, o.sampleRate, o.channels, CHUNK_MS);
  const sent = new Array<number>(n).fill(0);
  const start = nowMs();
  const totalChunks = Math.round(((warmup + o.seconds) * 1000) / CHUNK_MS);
  let rssMax = 0;
  let cpuAt: NodeJS.CpuUsage | undefined;
  const windows: number[] = [];
  let winCpu: NodeJS.CpuUsage | undefined;
  let winAt = 0;
  const warmChunks = Math.round((warmup * 1000) / CHUNK_MS);
  let lastRss = 0;
  let lastTick = 0;
  let maxGap = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = nowMs();
      if (cpuAt && lastTick > 0) maxGap = Math.max(maxGap, now - lastTick);
      lastTick = now;
      let finished = true;
      for (let i = 0; i < n; i++) {
        const due = Math.min(totalChunks, Math.floor((now - start - (i * CHUNK_MS) / n) / CHUNK_MS) + 1);
        while (sent[i] < due) {
          if (sent[i] === warmChunks) lanes[i].recording = true;
          const lane = lanes[i];
          lane.t0 = nowMs();
          entries[i].receive({ payload: parts[(sent[i] + i) % parts.length] });
          sent[i]++;
        }
        if (sent[i] < totalChunks) finished = false;
      }
      if (!cpuAt && sent[n - 1] >= warmChunks) {
        cpuAt = process.cpuUsage();
        winCpu = cpuAt;
        winAt = nowMs();
        for (const l of lanes) l.reset();
      }
      if (winCpu && now - winAt >= 2000) {
        windows.push(cpuSeconds(winCpu) / ((now - winAt) / 1000));
        winCpu = process.cpuUsage();
        winAt = now;
      }
      if (cpuAt && now - lastRss > 500) {
        lastRss = now;
        rssMax = Math.max(rssMax, process.memoryUsage().rss);
      }
      if (finished) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 10);
  });
  for (const l of lanes) l.recording = false;
  // Let the last frames reach the server (a loaded simulator may be a little behind): wait until
  // it has them all, or its count stops moving.
  let counts = await server.counts();
  for (let i = 0, last = -1; i < 40 && counts.appends < handed && counts.appends !== last; i++) {
    last = counts.appends;
    await sleep(500);
    counts = await server.counts();
  }
  await red.deploy([]);
  const sendLat = lanes.flatMap((l) => l.sendLatency);
  const recvLat = lanes.flatMap((l) => l.recvLatency);
  return {
    kind: o.kind,
    sessions: n,
    cpuShare: median(windows),
    cpuWindows: windows.length,
    cpuPerAudioSecond: median(windows) / n,
    rssMiB: rssMax / 2 ** 20,
    sendP50: percentile(sendLat, 50),
    sendP99: percentile(sendLat, 99),
    recvP50: percentile(recvLat, 50),
    recvP99: percentile(recvLat, 99),
    framesHanded: handed,
    framesReceived: counts.appends,
    framesDropped: Math.max(0, handed - counts.appends),
    messagesOut: lanes.reduce((a, l) => a + l.messagesOut, 0),
    maxTickGapMs: maxGap,
  };
}
