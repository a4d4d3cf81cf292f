/**
 * Memory per session: N real-time sessions (48 kHz stereo in, as in the scale rows) deployed into a
 * runtime that ran nothing before, in a process of its own (bench/section-process.ts), so that the
 * figure is what N sessions add to a fresh Node-RED and not what earlier runs left in the allocator.
 * The runtime alone is measured first (after its empty flow settled and two full collections), then
 * the same with the N sessions open and streaming. index.ts runs each count in a fresh process per
 * round and takes the median of the rounds.
 *
 * The JS heap per session is that difference over N, and it repeats to within a few per cent. RSS is not:
 * a fresh runtime's RSS still holds what its start-up left to the allocator, and gives some of it back
 * during the first deploy, so "RSS after − RSS before" came out negative for 1 and 10 sessions. RSS per
 * session is therefore the slope between the smallest and the largest count, each in a fresh process.
 */
import { fromRounds, type BenchRow } from './row';
import { startRed } from './red';
import { startServer } from './servers';
import { runStreaming, type StreamingResult } from './streaming';

const KIB_PER_MIB = 1024;

/** One round for `sessions`: its rows, each of one value (index.ts merges the rounds). */
export async function memoryRound(sessions: number, quick: boolean): Promise<BenchRow[]> {
  const sim = await startServer('sim');
  const red = await startRed();
  try {
    const r = await runStreaming(red, sim, { kind: 'ours', sessions, sampleRate: 48000, channels: 2, seconds: quick ? 2 : 5, warmupSeconds: 1 });
    return memoryRows(sessions, [r]);
  } finally {
    await red.stop();
    await sim.stop();
  }
}

/** The memory rows for `sessions` from its rounds. */
export function memoryRows(sessions: number, runs: StreamingResult[]): BenchRow[] {
  const group = `memory (${sessions} session${sessions > 1 ? 's' : ''}, 48 kHz stereo in, real time; each round a fresh process)`;
  const row = (key: string, name: string, unit: string, f: (r: StreamingResult) => number, note?: string) =>
    fromRounds({ id: `memory.${sessions}.${key}`, group, name, unit, note }, runs.map(f));
  return [
    row('rss', 'RSS of the Node-RED process, sessions open, after a full GC', 'MiB', (r) => r.rssAfterGcMiB),
    row('heap', 'JS heap in use, sessions open, after a full GC', 'MiB', (r) => r.heapAfterGcMiB),
    row('heapPerSession', 'JS heap per session, over the runtime alone', 'KiB', (r) => ((r.heapAfterGcMiB - r.baseHeapMiB) * KIB_PER_MIB) / sessions,
      sessions === 1 ? 'the first session also pays for the code it runs first (compiled on first use)' : undefined),
  ];
}

/** RSS each session adds: per round, (RSS at `high` − RSS at `low`) ÷ (high − low); the median of the rounds. */
export function rssSlopeRow(low: number, lowRounds: BenchRow[][], high: number, highRounds: BenchRow[][]): BenchRow {
  const rss = (rows: BenchRow[]) => rows.find((r) => r.id.endsWith('.rss'))?.value ?? NaN;
  const slopes = lowRounds.map((rows, i) => ((rss(highRounds[i]) - rss(rows)) * KIB_PER_MIB) / (high - low));
  return fromRounds({ id: 'memory.rssPerSession', group: `memory (${low} → ${high} sessions)`, name: `RSS added per session, from ${low} to ${high} sessions`,
    unit: 'KiB', note: 'the RSS difference of two fresh processes, per round, over the sessions added' }, slopes);
}

/** Rounds of the same rows (one value each) as one row per figure: the median and range of the rounds. */
export function mergeRounds(rounds: BenchRow[][]): BenchRow[] {
  return rounds[0].map((first) => {
    const values = rounds.map((rows) => {
      const r = rows.find((x) => x.id === first.id);
      return r ? r.value : NaN;
    });
    const { value: _v, spread: _s, ...meta } = first;
    return fromRounds(meta, values);
  });
}
