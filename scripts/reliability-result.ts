/**
 * The result of `npm run reliability` (scripts/reliability.ts), as docs/reliability.json holds it: the machine,
 * and for each test file its runs (one mocha process each) and, per test, what every run measured with the
 * lowest and highest value of each figure. Also why a result may not be published: a failed, skipped or
 * missing test, a replayed seed, or ranges that are not what the runs give.
 */
import type { MachineInfo } from '../bench/stats';
import type { FileRun, Figures, TestRun } from './reliability-run';

/** The test files whose figures docs/reliability.md publishes; `seeded` ones draw a random seed each run. */
export const RELIABILITY_FILES: Array<{ file: string; seeded: boolean }> = [
  { file: 'test/faults.test.ts', seeded: true },
  { file: 'test/fuzz.test.ts', seeded: true },
  { file: 'test/client-recovery.test.ts', seeded: false },
  { file: 'test/client-backoff.test.ts', seeded: false },
  { file: 'test/nodes-outage.test.ts', seeded: false },
  { file: 'test/client-flood.test.ts', seeded: false },
  { file: 'test/util-warning-coalescer.test.ts', seeded: false },
  { file: 'test/nodes-session-state.test.ts', seeded: false },
  { file: 'test/secrets.test.ts', seeded: false },
];

/** Runs of a seeded file when `--runs` is not given, so that its ranges are ranges; other files run once. */
export const DEFAULT_SEEDED_RUNS = 3;

/** Settings that make the seeded tests replay a seed or change their size: a run with them is not published. */
export const REPLAY_SETTINGS = ['FAULT_SEED', 'FAULT_COUNT', 'FUZZ_SEED', 'FUZZ_COUNT'];

/** Each numeric figure's lowest and highest value over the runs (a list of numbers counts each of its values). */
export type Ranges = Record<string, [number, number]>;

export interface TestResult {
  title: string;
  /** A hook's figures (the run-wide secrets check), not a test's. */
  hook?: boolean;
  runs: Array<{ state: TestRun['state']; seconds?: number; figures?: Figures }>;
  ranges: Ranges;
}

export interface FileResult {
  file: string;
  runs: Array<{ exitCode: number | null; seconds: number; failures: string[] }>;
  tests: TestResult[];
}

export interface ReliabilityResult {
  date: string;
  command: string;
  machine: MachineInfo;
  loadAverageAtEnd: number;
  wallSeconds: number;
  /** Mocha processes run at once. */
  jobs: number;
  /** REPLAY_SETTINGS found in the environment. */
  settings: Record<string, string>;
  files: FileResult[];
}

/** The ranges of every numeric figure (and of each test's duration) over `runs`. */
export function rangesOf(runs: TestResult['runs']): Ranges {
  const values = new Map<string, number[]>();
  const add = (key: string, v: unknown) => {
    const xs = (Array.isArray(v) ? v : [v]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    if (xs.length) values.set(key, [...(values.get(key) ?? []), ...xs]);
  };
  for (const r of runs) {
    add('seconds', r.seconds);
    for (const [key, v] of Object.entries(r.figures ?? {})) add(key, v);
  }
  const out: Ranges = {};
  for (const [key, xs] of values) out[key] = [Math.min(...xs), Math.max(...xs)];
  return out;
}

/** The runs of each file, grouped test by test (a test is found by its full title). */
export function fileResults(runs: FileRun[]): FileResult[] {
  const files = [...new Set(runs.map((r) => r.file))];
  return files.map((file) => {
    const mine = runs.filter((r) => r.file === file);
    const titles = [...new Set(mine.flatMap((r) => r.tests.map((t) => t.title)))];
    const tests = titles.map((title) => {
      const testRuns = mine.map((r) => {
        const t = r.tests.find((x) => x.title === title);
        return t ? { state: t.state, seconds: t.seconds, figures: t.figures } : { state: 'failed' as const };
      });
      const hook = testRuns.some((t) => t.state === 'hook');
      return { title, ...(hook ? { hook } : {}), runs: testRuns, ranges: rangesOf(testRuns) };
    });
    return { file, runs: mine.map((r) => ({ exitCode: r.exitCode, seconds: r.seconds, failures: r.failures })), tests };
  });
}

/** Why the result may not be published; empty: every file ran, every test passed in every run, nothing replayed. */
export function resultProblems(r: ReliabilityResult): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(r.settings ?? {})) out.push(`${name}=${value} is set: the tests replay or resize their runs`);
  if (Number.isNaN(Date.parse(r.date)) || !r.machine?.cpu || !r.machine?.node) out.push('the machine or the date is missing');
  for (const { file, seeded } of RELIABILITY_FILES) {
    const f = r.files.find((x) => x.file === file);
    if (!f || f.runs.length === 0) { out.push(`${file} did not run`); continue; }
    if (seeded && f.runs.length < 2) out.push(`${file} draws a random seed and ran ${f.runs.length} time(s): no range`);
    f.runs.forEach((run, i) => {
      if (run.exitCode !== 0) out.push(`${file} run ${i + 1}: mocha exited ${run.exitCode}`);
      for (const failure of run.failures) out.push(`${file} run ${i + 1}: ${failure}`);
    });
    if (!f.tests.some((t) => !t.hook)) out.push(`${file}: no test ran`);
    for (const t of f.tests) {
      const bad = t.runs.filter((x) => x.state !== (t.hook ? 'hook' : 'passed'));
      if (bad.length) out.push(`${file}: "${t.title}" ${bad.map((x) => x.state).join(', ')} in ${bad.length} of ${t.runs.length} runs`);
      if (t.runs.some((x) => x.figures) && !t.runs.every((x) => x.figures)) out.push(`${file}: "${t.title}" recorded figures in some runs only`);
      if (JSON.stringify(t.ranges) !== JSON.stringify(rangesOf(t.runs))) out.push(`${file}: "${t.title}": the ranges are not what its runs give`);
    }
  }
  for (const f of r.files) if (!RELIABILITY_FILES.some((x) => x.file === f.file)) out.push(`${f.file} is not a reliability test file`);
  return out;
}
