/**
 * `npm run bench`: the package's figures, each measured here and now on this machine.
 *   audio path   48 kHz stereo and 16 kHz mono PCM16 → append frames on a real socket: speed, allocation
 *   scale        1 / 10 / 100 real-time kiosks in one Node-RED process: CPU, latency added
 *   memory       bench/memory.ts: the same counts, each in a fresh process: RSS and heap, per session
 *   peer         the same job built from core websocket + function nodes, in alternated pairs, as ratios
 *   media        bench/media.ts: resampler, image and billing figures
 *   profile      bench/profile.ts: each step of a session's steady state timed alone (per frame, per event)
 * The service's side runs in another process (the simulator, or a sink that only counts appends); the audio
 * path, memory, media and profile sections each run in a fresh process of their own (bench/section-process.ts).
 *
 * Prints a table and writes bench/results/bench.json. `--write-docs` also writes docs/benchmarks.json and
 * regenerates the figures in CONTRIBUTING.md, docs/benchmarks.md and docs/media.md from it. `--quick` (or
 * BENCH_QUICK=1) shortens every run: a smoke test of the bench itself, marked as such in the docs.
 * Exits non-zero, writing no docs, when a figure is missing or not a number, or a sanity check failed
 * (frames received ≠ frames sent, the probe missing frames, an allocation meter reading below the frames).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fork } from 'node:child_process';
import { mergeRounds, rssSlopeRow } from './memory';
import { FULL_PLAN, nodeRedRows, QUICK_PLAN } from './node-red-rows';
import { writeDocs } from './publish';
import { startRed } from './red';
import { RESULTS_FILE, requiredIds, rowProblems, type BenchResults } from './results-file';
import type { BenchRow } from './row';
import type { SectionName, SectionReply } from './section-process';
import { startServer } from './servers';
import { fmt, machineInfo } from './stats';

const args = new Set(process.argv.slice(2));
const QUICK = process.env.BENCH_QUICK === '1' || args.has('--quick');
const WRITE_DOCS = args.has('--write-docs');
const PLAN = QUICK ? QUICK_PLAN : FULL_PLAN;

function printTable(rows: BenchRow[]): void {
  let group = '';
  const w = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    if (r.group !== group) {
      group = r.group;
      process.stdout.write(`\n${group}\n`);
    }
    const range = r.spread ? `  [${fmt(r.spread.min)}–${fmt(r.spread.max)}, ${r.spread.rounds} rounds]` : '';
    process.stdout.write(`  ${r.name.padEnd(w)}  ${fmt(r.value).padStart(9)} ${r.unit}${range}${r.note ? `  (${r.note})` : ''}\n`);
  }
}

/** A section of the bench in a process of its own (bench/section-process.ts): its rows, its problems added to ours. */
function inOwnProcess(name: SectionName, quick: boolean, problems: string[], args: string[] = []): Promise<BenchRow[]> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'section-process.ts'), [name, ...args, ...(quick ? ['--quick'] : [])], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let reply: SectionReply | undefined;
    child.on('message', (m: SectionReply) => { reply = m; });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!reply || reply.error || !reply.rows) reject(new Error(`bench: the ${name} process failed (exit ${code}): ${reply?.error ?? 'no reply'}`));
      else {
        problems.push(...(reply.problems || []));
        resolve(reply.rows);
      }
    });
  });
}

async function section<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  process.stdout.write(`${name}…`);
  const out = await fn();
  process.stdout.write(` ${Math.round((Date.now() - t0) / 1000)} s\n`);
  return out;
}

/** Each session count in a fresh process, the counts alternated round by round (drift in the machine spreads evenly). */
async function memoryRows(problems: string[]): Promise<BenchRow[]> {
  const rounds = new Map<number, BenchRow[][]>(PLAN.scale.map((n) => [n, []]));
  for (let i = 0; i < PLAN.scaleRounds; i++) {
    for (const n of PLAN.scale) rounds.get(n)!.push(await inOwnProcess('memory', QUICK, problems, [String(n)]));
  }
  const [low, high] = [PLAN.scale[0], PLAN.scale[PLAN.scale.length - 1]];
  return [...PLAN.scale.flatMap((n) => mergeRounds(rounds.get(n)!)), rssSlopeRow(low, rounds.get(low)!, high, rounds.get(high)!)];
}

async function main(): Promise<void> {
  const machine = machineInfo();
  process.stdout.write(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${machine.node}; ${machine.os}; load average ${machine.loadAverage}\n`);
  if (machine.loadAverage > machine.cores * 0.5) {
    process.stdout.write(`warning: the machine is busy (load average ${machine.loadAverage} on ${machine.cores} cores); latency tails and CPU figures will show it\n`);
  }
  const started = Date.now();
  const rows: BenchRow[] = [];
  const problems: string[] = [];
  rows.push(...(await section('audio path', () => inOwnProcess('audio-path', QUICK, problems))));
  const sim = await startServer('sim');
  const red = await startRed();
  try {
    rows.push(...(await section('Node-RED: scale and peer', () => nodeRedRows(red, sim, PLAN, problems))));
  } finally {
    await red.stop();
    await sim.stop();
  }
  rows.push(...(await section('memory', () => memoryRows(problems))));
  rows.push(...(await section('media', () => inOwnProcess('media', QUICK, problems))));
  rows.push(...(await section('profile', () => inOwnProcess('profile', QUICK, problems))));
  printTable(rows);
  problems.push(...rowProblems(rows, requiredIds(PLAN.scale, PLAN.peerSessions)));

  const results: BenchResults = {
    date: new Date().toISOString(), quick: QUICK, seconds: Math.round((Date.now() - started) / 1000), machine, loadAverageAtEnd: machineInfo().loadAverage, rows,
  };
  const out = join(__dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'bench.json'), JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(`\n${rows.length} figures in ${results.seconds} s; written to bench/results/bench.json\n`);
  if (problems.length > 0) {
    process.stderr.write(`bench failed its checks (docs not written):\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  if (WRITE_DOCS) {
    writeFileSync(RESULTS_FILE, JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(`results: docs/benchmarks.json; figures regenerated in ${writeDocs(results).join(', ')}\n`);
  }
  // Node-RED leaves handles open (its context and log timers); the figures are written.
  process.exit(0);
}

main().catch((e: Error) => {
  process.stderr.write(`bench failed: ${e.stack || e.message}\n`);
  process.exit(1);
});
