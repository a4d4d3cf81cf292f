/**
 * Runs mocha jobs side by side: a fixed number of lanes, each running one mocha process at a
 * time, the next job of the queue as soon as a lane is free. Most tests wait on real-time audio,
 * a browser or a child process rather than on the CPU, so several processes share 2 cores well.
 *
 * A job's output is held back and printed whole when it ends, so the log reads job by job.
 * Its counts come from mocha's closing summary; a process that ends without a clean summary
 * (crash, timeout of a hook, non-zero exit with no failing test counted) counts as one failure.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const MOCHA = join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');

export interface Job {
  /** Shown above the job's output and in the closing list of the slowest jobs. */
  label: string;
  /** Arguments to mocha: test files, and `--grep …` for a slice. */
  args: string[];
  env: Record<string, string>;
  /** Drives chromium: the lanes run at most a few of these at once. */
  browser?: boolean;
  /** Must have the machine to itself: runs when no other job runs, and nothing starts beside it. */
  alone?: boolean;
}

export interface JobResult {
  passed: number; failed: number; pending: number; code: number; seconds: number;
  /** For a job with a failure: mocha's account of it (from "N failing" on), or the output's end. */
  failures?: string;
}

/** Lines of a failed job repeated at the end of the run: enough for the error and its stack. */
const FAILURE_LINES = 80;

/**
 * Mocha's closing summary: the output from its last "N passing" line on (the whole output when
 * there is none). A test's own output may hold lines that look alike, so earlier ones don't count.
 */
function closingSummary(out: string): string {
  const passing = [...out.matchAll(/^\s*\d+ passing\b/gm)];
  return passing.length ? out.slice(passing[passing.length - 1].index) : out;
}

/** The count of `word` in mocha's closing summary ("  12 passing (3s)", "  1 failing"), 0 when absent. */
function summaryCount(out: string, word: string): number {
  const m = new RegExp(`^\\s*(\\d+) ${word}\\b`, 'm').exec(closingSummary(out));
  return m ? Number(m[1]) : 0;
}

/**
 * What to repeat of a failed job's output after the run: mocha's failure list, or the end of the
 * output when the process died without one. CI logs are often read from their tail, where the
 * job's own output (printed when it ended) may no longer be.
 */
function failureAccount(plain: string): string {
  const summary = closingSummary(plain);
  const at = summary.search(/^\s*\d+ failing\b/m);
  if (at >= 0) return summary.slice(at).trimEnd().split('\n').slice(0, FAILURE_LINES).join('\n');
  return plain.trimEnd().split('\n').slice(-FAILURE_LINES).join('\n');
}

/** How the lanes run and watch their jobs. */
export interface LaneOptions {
  /** Mocha processes at once. */
  lanes: number;
  /** Browser jobs at once. */
  browsers: number;
  /** Where each job's output goes when it ends (stdout by default). */
  print?: (text: string) => void;
  /**
   * A process still running this long after printing mocha's closing summary, silent since, is stopped:
   * something a test opened (a server, a timer) keeps it alive, and it would otherwise hold the run until
   * CI's own limit. Counted as a failure that names the cause.
   */
  exitGraceMs?: number;
  /** A job still running after this long is stopped and counted as failed. */
  timeoutMs?: number;
}

const EXIT_GRACE_MS = 30_000;
const JOB_TIMEOUT_MS = 20 * 60_000;

function runJob(job: Job, options: LaneOptions): Promise<JobResult & { output: string }> {
  const started = Date.now();
  return new Promise((res) => {
    const child = spawn(process.execPath, [MOCHA, ...(process.stdout.isTTY ? ['--color'] : []), ...job.args], {
      cwd: ROOT, env: { ...process.env, ...job.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let stoppedBecause = '';
    const stop = (why: string) => {
      stoppedBecause = why;
      child.kill('SIGKILL');
    };
    let lingering: NodeJS.Timeout | undefined;
    const onOutput = (c: Buffer) => {
      output += c.toString();
      clearTimeout(lingering);
      // eslint-disable-next-line no-control-regex
      if (/^\s*\d+ passing\b/m.test(output.replace(/\x1b\[[0-9;]*m/g, ''))) {
        const grace = options.exitGraceMs ?? EXIT_GRACE_MS;
        lingering = setTimeout(() => stop(`mocha did not exit within ${grace / 1000} s of its summary: a test left something open`), grace);
      }
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    const timeoutMs = options.timeoutMs ?? JOB_TIMEOUT_MS;
    const timeout = setTimeout(() => stop(`still running after ${timeoutMs / 1000} s`), timeoutMs);
    const finish = (code: number, why = '') => {
      clearTimeout(lingering);
      clearTimeout(timeout);
      // eslint-disable-next-line no-control-regex
      const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
      const passed = summaryCount(plain, 'passing');
      let failed = summaryCount(plain, 'failing');
      if ((code !== 0 || stoppedBecause) && failed === 0) failed = 1; // mocha died, or hung, before or after its summary
      res({
        passed, failed, pending: summaryCount(plain, 'pending'), code, seconds: (Date.now() - started) / 1000,
        output: output + why,
        failures: failed ? failureAccount(plain + why) || `(exit code ${code}, no output)` : undefined,
      });
    };
    child.on('error', (e) => finish(1, `\n${job.label}: could not start mocha: ${e.message}\n`));
    child.on('close', (code, signal) => finish(code ?? 1, stoppedBecause ? `\n${job.label}: stopped: ${stoppedBecause}\n`
      : signal ? `\n${job.label}: mocha ended by ${signal}\n` : ''));
  });
}

/**
 * Runs every job, at most `lanes` at a time and at most `browsers` of the browser jobs among them,
 * each time the first job of the queue that may start (put the longest first: the run then ends
 * soon after its longest job). The jobs that run alone go first, one by one, before the others.
 * Results come back in the jobs' order; each job's output goes to `print` when it ends.
 */
export function runLanes(jobs: Job[], options: LaneOptions): Promise<JobResult[]> {
  const { lanes, browsers, print = (t: string) => process.stdout.write(t) } = options;
  const results: JobResult[] = new Array(jobs.length);
  const queue = jobs.map((_j, i) => i);
  let running = 0;
  let runningBrowsers = 0;
  let runningAlone = false;
  const mayStart = (job: Job) => (job.alone ? running === 0 : !queue.some((i) => jobs[i].alone) && (!job.browser || runningBrowsers < browsers));
  return new Promise((resolveAll) => {
    const fill = () => {
      if (queue.length === 0 && running === 0) resolveAll(results);
      while (running < lanes && !runningAlone) {
        const k = queue.findIndex((i) => mayStart(jobs[i]));
        if (k < 0) return;
        const [i] = queue.splice(k, 1);
        const job = jobs[i];
        running++;
        if (job.browser) runningBrowsers++;
        if (job.alone) runningAlone = true;
        void runJob(job, options).then(({ output, ...r }) => {
          results[i] = r;
          running--;
          if (job.browser) runningBrowsers--;
          if (job.alone) runningAlone = false;
          const verdict = r.failed ? `${r.failed} FAILED` : `${r.passed} passed`;
          print(`\n=== ${job.label}: ${verdict} (${r.seconds.toFixed(0)} s) ===\n${output}`);
          fill();
        });
      }
    };
    fill();
  });
}

/** Every failed job's label and failure account, to print last; empty when all passed. */
export function failuresOf(jobs: Job[], results: JobResult[]): string {
  return jobs.map((j, i) => (results[i].failures ? `--- ${j.label} ---\n${results[i].failures}` : ''))
    .filter(Boolean).join('\n\n');
}

/** The slowest jobs, as printed after a run: where to look when the run gets long. */
export function slowest(jobs: Job[], results: JobResult[], count = 10): string {
  return jobs.map((j, i) => ({ label: j.label, seconds: results[i].seconds }))
    .sort((a, b) => b.seconds - a.seconds).slice(0, count)
    .map((j) => `${j.seconds.toFixed(0).padStart(5)} s  ${j.label}`).join('\n');
}
