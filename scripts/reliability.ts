/**
 * The reliability figures (`npm run reliability`): runs the reliability test files (faults, fuzz, recovery,
 * backoff, outage, flood, session state, secrets), each in a mocha process of its own with the repository's
 * .mocharc, collects what each test measured (test/support/figures.ts) and mocha's report of what passed, and
 * prints a summary; the result goes to bench/results/reliability.json.
 *
 *   npm run reliability [-- --runs N] [--jobs N] [--write-docs]
 *
 * --runs N   runs of every file (default: 3 for the files that draw a random seed, 1 for the others)
 * --jobs N   mocha processes at once (default 1: the figures include wall times)
 * --write-docs  also writes docs/reliability.json and regenerates the docs' blocks (scripts/reliability-publish.ts);
 *               refused (exit 1, nothing written) when any test failed, and before the run when FAULT_SEED, FUZZ_SEED
 *               or a count is set.
 * Exits 1 when a test failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineInfo } from '../bench/stats';
import { publishProblems, writeReliabilityDocs } from './reliability-publish';
import { DEFAULT_SEEDED_RUNS, fileResults, RELIABILITY_FILES, REPLAY_SETTINGS, type ReliabilityResult } from './reliability-result';
import { runFile, type FileRun } from './reliability-run';

const RESULT_FILE = join(__dirname, '..', 'bench/results/reliability.json');

function option(name: string): number | undefined {
  const at = process.argv.indexOf(name);
  if (at < 0) return undefined;
  const n = Number(process.argv[at + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} wants a whole number of at least 1, not "${process.argv[at + 1]}"`);
  return n;
}

/** Runs the jobs, `jobs` at a time, in the order given; the results come back in that order. */
async function runAll(work: Array<{ file: string; run: number; of: number }>, jobs: number): Promise<FileRun[]> {
  const out: FileRun[] = new Array(work.length);
  let next = 0;
  const worker = async () => {
    while (next < work.length) {
      const i = next++;
      const { file, run, of } = work[i];
      const r = await runFile(file);
      out[i] = r;
      const passed = r.tests.filter((t) => t.state === 'passed').length;
      console.log(`${file} run ${run}/${of}: ${passed} of ${r.tests.filter((t) => t.state !== 'hook').length} tests passed, ${r.seconds} s`);
      if (r.failures.length || r.exitCode !== 0) console.log(`${r.output}\n  ${r.failures.join('\n  ')}`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return out;
}

async function main(): Promise<number> {
  const writeDocs = process.argv.includes('--write-docs');
  const runs = option('--runs');
  const jobs = option('--jobs') ?? 1;
  const settings: Record<string, string> = {};
  for (const name of REPLAY_SETTINGS) if (process.env[name]) settings[name] = process.env[name]!;
  if (writeDocs && Object.keys(settings).length) {
    console.error(`not published: ${Object.keys(settings).join(', ')} set; the published figures come from fresh seeds and the default sizes`);
    return 2;
  }
  const machine = machineInfo();
  const started = Date.now();
  const work = RELIABILITY_FILES.flatMap(({ file, seeded }) => {
    const of = runs ?? (seeded ? DEFAULT_SEEDED_RUNS : 1);
    return Array.from({ length: of }, (_x, i) => ({ file, run: i + 1, of }));
  });
  const done = await runAll(work, jobs);
  const result: ReliabilityResult = {
    date: new Date().toISOString(),
    command: `npm run reliability -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine, loadAverageAtEnd: machineInfo().loadAverage, wallSeconds: Math.round((Date.now() - started) / 1000), jobs, settings,
    files: fileResults(done),
  };
  mkdirSync(join(RESULT_FILE, '..'), { recursive: true });
  writeFileSync(RESULT_FILE, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`${done.length} mocha runs in ${result.wallSeconds} s; the result: bench/results/reliability.json`);
  const failed = done.some((r) => r.exitCode !== 0 || r.failures.length > 0);
  const problems = publishProblems(result);
  if (!writeDocs) {
    if (problems.length) console.log(`it could not be published:\n  ${problems.join('\n  ')}`);
    return failed ? 1 : 0;
  }
  if (problems.length) {
    console.error(`not published:\n  ${problems.join('\n  ')}`);
    return 1;
  }
  console.log(`written: ${writeReliabilityDocs(result).join(', ')}`);
  return 0;
}

main().then((code) => { process.exitCode = code; }, (e: Error) => {
  console.error(e.stack || e.message);
  process.exitCode = 1;
});
