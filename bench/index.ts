/**
 * `npm run bench`: the package's figures, each measured here and now on this machine.
 *   audio path   48 kHz stereo and 16 kHz mono PCM16 → append frames on a real socket: speed, allocation
 *   latency      added by our code inside one Node-RED process (message → socket, event → message)
 *   scale        N real-time kiosks in one Node-RED process: CPU, RSS, p99 added latency, dropped frames
 *   peer         the same job built from core websocket + function nodes, side by side, as ratios
 *   media        bench/media.ts: resampler, image and billing figures
 * The service's side runs in another process (the simulator, or a sink that only counts appends).
 * Prints a table; writes bench/results/bench.json with the machine it ran on.
 * BENCH_QUICK=1 shortens every run (a smoke test of the bench itself, not figures to quote).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { audioPathRows } from './audio-path';
import { mediaRows } from './media';
import { startRed } from './red';
import type { BenchRow } from './row';
import { startServer } from './servers';
import { runStreaming, type StreamingResult } from './streaming';
import { fmt, machineInfo, median } from './stats';

const QUICK = process.env.BENCH_QUICK === '1';
const SCALE = (process.env.BENCH_SCALE || '1,10,50,100').split(',').map(Number).filter((n) => n > 0);

function latencyRows(group: string, label: string, r: StreamingResult): BenchRow[] {
  return [
    { group, name: `${label}: flow message → append written to the socket, p50`, value: r.sendP50, unit: 'ms' },
    { group, name: `${label}: flow message → append written to the socket, p99`, value: r.sendP99, unit: 'ms' },
    { group, name: `${label}: server frame received → message leaving translation-out, p50`, value: r.recvP50, unit: 'ms' },
    { group, name: `${label}: server frame received → message leaving translation-out, p99`, value: r.recvP99, unit: 'ms' },
  ];
}

async function nodeRedRows(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const sim = await startServer('sim');
  const red = await startRed();
  try {
    const seconds = QUICK ? 4 : 20;
    // Scale: 48 kHz stereo microphones (what browsers and USB headsets give), resampled by us.
    for (const n of SCALE) {
      const r = await runStreaming(red, sim, { kind: 'ours', sessions: n, sampleRate: 48000, channels: 2, seconds, warmupSeconds: QUICK ? 1 : 3 });
      const g = `scale (${n} session${n > 1 ? 's' : ''}, 48 kHz stereo in, real time)`;
      rows.push(
        { group: g, name: 'CPU share of one core (median of 2 s windows)', value: r.cpuShare * 100, unit: '%', note: `${r.cpuWindows} windows of ${seconds} s` },
        { group: g, name: 'CPU per second of audio', value: r.cpuPerAudioSecond * 1000, unit: 'ms' },
        { group: g, name: 'RSS (max, whole Node-RED process)', value: r.rssMiB, unit: 'MiB' },
        { group: g, name: 'added latency p99, message → socket', value: r.sendP99, unit: 'ms', note: `p50 ${fmt(r.sendP50)} ms` },
        { group: g, name: 'added latency p99, server event → message', value: r.recvP99, unit: 'ms', note: `p50 ${fmt(r.recvP50)} ms; ${r.messagesOut} messages` },
        { group: g, name: 'frames dropped', value: r.framesDropped, unit: 'frames', note: `${r.framesReceived} of ${r.framesHanded} frames reached the service` },
        { group: g, name: 'longest event-loop stall (gap between 10 ms driver ticks)', value: r.maxTickGapMs, unit: 'ms', note: 'GC pauses and CPU taken by other processes show here' },
      );
      if (n === 1) rows.push(...latencyRows('latency (1 session, 48 kHz stereo in)', 'ours', r));
    }

    // Peer: the same job (16 kHz mono in, text+audio out) built from core nodes, alternating
    // with ours in the same run; figures are medians over the rounds.
    const n = QUICK ? 2 : 10;
    const rounds = QUICK ? 1 : 3;
    const per = QUICK ? 3 : 8;
    const ours: StreamingResult[] = [];
    const peer: StreamingResult[] = [];
    for (let i = 0; i < rounds; i++) {
      ours.push(await runStreaming(red, sim, { kind: 'ours', sessions: n, sampleRate: 16000, channels: 1, seconds: per, warmupSeconds: 2 }));
      peer.push(await runStreaming(red, sim, { kind: 'peer', sessions: n, sampleRate: 16000, channels: 1, seconds: per, warmupSeconds: 2 }));
    }
    const m = (xs: StreamingResult[], k: keyof StreamingResult) => median(xs.map((x) => Number(x[k])));
    const g = `peer (${n} sessions, 16 kHz mono in, ${rounds} alternating rounds)`;
    const pair = (name: string, k: keyof StreamingResult, unit: string, scale = 1) => {
      const a = m(ours, k) * scale;
      const b = m(peer, k) * scale;
      rows.push(
        { group: g, name: `${name}: ours`, value: a, unit },
        { group: g, name: `${name}: core websocket + function nodes`, value: b, unit },
        { group: g, name: `${name}: ratio core ÷ ours`, value: b / a, unit: '×', note: '> 1: ours is lighter / faster' },
      );
    };
    pair('CPU per second of audio', 'cpuPerAudioSecond', 'ms', 1000);
    pair('added latency p50, message → socket', 'sendP50', 'ms');
    pair('added latency p99, message → socket', 'sendP99', 'ms');
    pair('added latency p50, server event → message', 'recvP50', 'ms');
    pair('added latency p99, server event → message', 'recvP99', 'ms');
    rows.push({ group: g, name: 'frames dropped: ours / core', value: m(ours, 'framesDropped'), unit: 'frames', note: `core: ${m(peer, 'framesDropped')}` });
  } finally {
    await red.stop();
    await sim.stop();
  }
  return rows;
}

function printTable(rows: BenchRow[]): void {
  let group = '';
  const w = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    if (r.group !== group) {
      group = r.group;
      process.stdout.write(`\n${group}\n`);
    }
    process.stdout.write(`  ${r.name.padEnd(w)}  ${fmt(r.value).padStart(9)} ${r.unit}${r.note ? `  (${r.note})` : ''}\n`);
  }
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const describe = (m: typeof machine, load: number) =>
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; Node ${m.node}; ${m.os}; load average ${m.loadAverage} at start, ${load} at end`;
  process.stdout.write(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${machine.node}; ${machine.os}; load average ${machine.loadAverage}\n`);
  if (machine.loadAverage > machine.cores * 0.5) {
    process.stdout.write(`warning: the machine is busy (load average ${machine.loadAverage} on ${machine.cores} cores); latency tails and CPU figures will show it\n`);
  }
  const started = Date.now();
  const rows: BenchRow[] = [];
  const sink = await startServer('sink');
  try {
    rows.push(...(await audioPathRows(sink, QUICK)));
  } finally {
    await sink.stop();
  }
  rows.push(...(await nodeRedRows()));
  rows.push(...(await mediaRows()));
  printTable(rows);
  const out = join(__dirname, 'results');
  mkdirSync(out, { recursive: true });
  const file = join(out, 'bench.json');
  const endLoad = machineInfo().loadAverage;
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), machine, loadAverageAtEnd: endLoad, seconds: Math.round((Date.now() - started) / 1000), quick: QUICK, rows }, null, 2) + '\n');
  // The same table in Markdown, for docs/benchmarks.md and the README.
  const md = [`Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench\` on ${describe(machine, endLoad)}.`, '',
    '| group | figure | value | unit | note |', '|---|---|---:|---|---|',
    ...rows.map((r) => `| ${r.group} | ${r.name} | ${fmt(r.value)} | ${r.unit} | ${r.note || ''} |`)].join('\n') + '\n';
  writeFileSync(join(out, 'bench.md'), md);
  process.stdout.write(`\n${rows.length} figures in ${Math.round((Date.now() - started) / 1000)} s; written to ${file} and bench.md\n`);
  // Node-RED leaves handles open (its context and log timers); the figures are written.
  process.exit(0);
}

main().catch((e: Error) => {
  process.stderr.write(`bench failed: ${e.stack || e.message}\n`);
  process.exit(1);
});
