/**
 * One run of one reliability test file, for `npm run reliability` (scripts/reliability.ts): mocha in a process of
 * its own (the repository's .mocharc, its JSON reporter writing to a file), with LIVETRANSLATE_FIGURES naming the
 * file where the tests append what they measured (test/support/figures.ts). The reporter says which tests passed
 * and how long each took; the figure lines say what they measured; this joins the two.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FigureLine } from '../test/support/figures';

const ROOT = join(__dirname, '..');

export type Figures = Record<string, unknown>;

/** One test (or a hook that recorded figures) in one run. */
export interface TestRun {
  title: string;
  state: 'passed' | 'failed' | 'pending' | 'hook';
  /** Mocha's duration of the test, wall time (absent for a hook). */
  seconds?: number;
  figures?: Figures;
}

/** One mocha process over one file. */
export interface FileRun {
  file: string;
  exitCode: number | null;
  /** Mocha's duration of the whole file, hooks included: wall time. */
  seconds: number;
  tests: TestRun[];
  /** The failures as mocha reported them ("title: message"), and anything that kept the report from being read. */
  failures: string[];
  /** The process's output, kept for a failed run. */
  output: string;
}

interface MochaTest { title: string; fullTitle: string; duration?: number; err?: { message?: string } }
interface MochaReport {
  stats: { duration?: number };
  tests: MochaTest[]; passes: MochaTest[]; failures: MochaTest[]; pending: MochaTest[];
}

const seconds = (ms: number | undefined) => Math.round((ms ?? 0) / 100) / 10;

/** The reporter's tests joined with the figure lines; a figure line with no test of that title is a hook's. */
export function joinRun(file: string, exitCode: number | null, report: MochaReport | undefined, lines: FigureLine[], output: string): FileRun {
  const failures: string[] = [];
  if (!report) failures.push('mocha wrote no report');
  const state = (t: MochaTest): TestRun['state'] => {
    if (report!.failures.some((f) => f.fullTitle === t.fullTitle)) return 'failed';
    if (report!.pending.some((f) => f.fullTitle === t.fullTitle)) return 'pending';
    return report!.passes.some((f) => f.fullTitle === t.fullTitle) ? 'passed' : 'failed';
  };
  const tests: TestRun[] = (report?.tests ?? []).map((t) => ({ title: t.fullTitle, state: state(t), seconds: seconds(t.duration) }));
  for (const f of report?.failures ?? []) failures.push(`${f.fullTitle}: ${f.err?.message ?? 'failed'}`);
  for (const line of lines) {
    const test = tests.find((t) => t.title === line.test);
    if (!test) tests.push({ title: line.test, state: 'hook', figures: line.figures });
    else if (test.figures) failures.push(`${line.test} recorded its figures twice`);
    else test.figures = line.figures;
  }
  return { file, exitCode, seconds: seconds(report?.stats.duration), tests, failures, output };
}

/** Runs `file` (relative to the repository) once in mocha and returns what it passed and measured. */
export function runFile(file: string): Promise<FileRun> {
  const dir = mkdtempSync(join(tmpdir(), 'livetranslate-reliability-'));
  const reportFile = join(dir, 'report.json');
  const figuresFile = join(dir, 'figures.jsonl');
  const args = [require.resolve('mocha/bin/mocha.js'), '--reporter', 'json', '--reporter-option', `output=${reportFile}`, file];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, LIVETRANSLATE_FIGURES: figuresFile }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  return new Promise((resolve) => {
    let done = false;
    const finish = (exitCode: number | null, error?: Error) => {
      if (done) return;
      done = true;
      const report = existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, 'utf8')) as MochaReport) : undefined;
      const lines = existsSync(figuresFile)
        ? readFileSync(figuresFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as FigureLine) : [];
      rmSync(dir, { recursive: true, force: true });
      const run = joinRun(file, exitCode, report, lines, output);
      if (error) run.failures.push(`mocha did not start: ${error.message}`);
      resolve(run);
    };
    child.on('error', (e) => finish(null, e));
    child.on('close', (code) => finish(code));
  });
}
