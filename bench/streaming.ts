/**
 * N kiosks in one Node-RED process, each streaming real-time microphone audio (100 ms messages)
 * to a session and receiving the replies of the simulator, which runs in another process. The
 * flows (ours, and the peer built from core nodes) are in flows.ts.
 */
import { DEFAULT_OPTIONS, toWireConfig } from '../src/protocol';
import { optionsFrom } from '../src/node-red/session-settings';
import { BENCH_KEY, ourFlow, peerFlow, SETTINGS } from './flows';
import { Lane, attachSocket, installProbes, watchExit } from './probe';
import type { EmbeddedRed, RedNode } from './red';
import type { ServerProcess } from './servers';
import { chunks, CYCLE_SECONDS, pcm16 } from './signal';
import { cpuSeconds, median, nowMs, percentile, settledMemory, sleep } from './stats';

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
  /** Called when the measured window starts and ends (a profiler attaches here). */
  window?: { start(): void; end(): void };
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
  /** Append frames the probe saw written (must equal framesHanded: else the probe misses frames). */
  appendsSeen: number;
  /** After a full GC with every session still open: resident set and JS heap in use... */
  rssAfterGcMiB: number;
  heapAfterGcMiB: number;
  /** ...and the same before the flow was deployed (the runtime alone). */
  baseRssMiB: number;
  baseHeapMiB: number;
}

const CHUNK_MS = 100;

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
  const base = await settledMemory();
  // The session nodes take the key from the environment when their credential is blank.
  process.env.DASHSCOPE_API_KEY = BENCH_KEY;
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
  let cpuAtMs = 0;
  let cpuWhole = NaN;
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
        cpuAtMs = now;
        if (o.window) o.window.start();
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
        rssMax = Math.max(rssMax, process.memoryUsage.rss()); // rss() alone: memoryUsage() walks the heap
      }
      if (finished) {
        if (cpuAt) cpuWhole = cpuSeconds(cpuAt) / ((now - cpuAtMs) / 1000);
        if (o.window) o.window.end();
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
  // Counted after the wait: the peer's frames pass through Node-RED hops, some are still on their way above.
  const appendsSeen = lanes.reduce((a, l) => a + l.appendsSeen, 0);
  // Memory with every session open, after a full collection (what the sessions keep, not garbage).
  const mem = await settledMemory(100);
  await red.deploy([]);
  const sendLat = lanes.flatMap((l) => l.sendLatency);
  const recvLat = lanes.flatMap((l) => l.recvLatency);
  return {
    kind: o.kind,
    sessions: n,
    // A run too short for one whole window (a smoke run) reports its whole measured period.
    cpuShare: windows.length ? median(windows) : cpuWhole,
    cpuWindows: windows.length,
    cpuPerAudioSecond: (windows.length ? median(windows) : cpuWhole) / n,
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
    appendsSeen,
    rssAfterGcMiB: mem.rss / 2 ** 20,
    heapAfterGcMiB: mem.heapUsed / 2 ** 20,
    baseRssMiB: base.rss / 2 ** 20,
    baseHeapMiB: base.heapUsed / 2 ** 20,
  };
}
