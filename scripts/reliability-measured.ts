/**
 * What docs/reliability.md says each reliability test file measured, worded from docs/reliability.json: every
 * number here is a figure a run recorded (test/support/figures.ts) or mocha reported, shown as the lowest–highest
 * value over the runs. A figure that is missing throws (the result is then refused, see reliability-publish.ts).
 */
import type { FileResult, TestResult } from './reliability-result';

const count = (n: number) => n.toLocaleString('en-US');
const secs = (n: number) => (Math.round(n * 10) / 10).toFixed(1);
/** A figure's range over the runs: "7" when every run gave 7, "88–101" otherwise. */
const span = ([lo, hi]: [number, number], f: (n: number) => string = count) => (lo === hi ? f(lo) : `${f(lo)}–${f(hi)}`);

/** The test of `file` whose full title contains `part` (the first with figures when `part` is empty). */
function test(file: FileResult, part = ''): TestResult {
  const t = file.tests.find((x) => x.title.includes(part) && (part || x.runs.some((r) => r.figures)));
  if (!t) throw new Error(`${file.file}: no test "${part}" with figures`);
  return t;
}

/** The range of one figure of a test. */
function range(t: TestResult, key: string): [number, number] {
  const r = t.ranges[key];
  if (!r) throw new Error(`"${t.title}": no figure ${key}`);
  return r;
}

/** One figure of each run, in run order. */
function perRun<T = number>(t: TestResult, key: string): T[] {
  return t.runs.map((r) => {
    if (!r.figures || r.figures[key] === undefined) throw new Error(`"${t.title}": no figure ${key} in a run`);
    return r.figures[key] as T;
  });
}

const fraction = (t: TestResult, part: string, whole: string): [number, number] => {
  const ratios = perRun(t, part).map((p, i) => (100 * p) / perRun(t, whole)[i]);
  return [Math.round(Math.min(...ratios)), Math.round(Math.max(...ratios))];
};

function faults(f: FileResult): string {
  const t = test(f);
  const frames = t.runs.map((_r, i) => {
    const [handed, received, dropped, failed, lost, unconfirmed] = ['framesHandedOver', 'framesReceived', 'framesDropped',
      'framesFailed', 'framesLostInFlight', 'framesUnconfirmed'].map((k) => perRun(t, k)[i]);
    return `${count(handed)} handed over = ${count(received)} received + ${count(dropped)} dropped by the buffer bound during outages`
      + ` + ${count(failed)} failed write(s) + ${count(lost)} lost in flight (against ${count(unconfirmed)} counted unconfirmed)`;
  });
  return `seeds ${perRun(t, 'seed').join(', ')}; ${span(range(t, 'faults'))} faults into ${span(range(t, 'sessions'))} sessions in `
    + `${span(range(t, 'faultSeconds'), secs)} s; ${span(range(t, 'connectionsPerSession'))} `
    + `connections per session; every session back to connected ${span(range(t, 'recoveredMs').map((ms) => ms / 1000) as [number, number], secs)} s `
    + `after the last fault (worst event-loop lag ${span(range(t, 'eventLoopLagMs'))} ms). Audio frames, run by run: ${frames.join('; ')}`;
}

function fuzz(f: FileResult): string {
  const t = test(f);
  return `seeds ${perRun(t, 'seed').join(', ')}; ${span(range(t, 'inputs'))} inputs (${span(range(t, 'audio'))} audio, `
    + `${span(range(t, 'image'))} image, ${span(range(t, 'control'))} control); ${span(fraction(t, 'accepted', 'inputs'))} % accepted, `
    + `${span(fraction(t, 'caughtErrors', 'inputs'))} % caught errors; all answered after `
    + `${span(range(t, 'answeredMs').map((ms) => ms / 1000) as [number, number], secs)} s`;
}

function recovery(f: FileResult): string {
  const t = test(f, 'repeated cuts');
  return `the accounting across repeated cuts mid-stream (${span(range(t, 'connections'))} connections): `
    + `${span(range(t, 'framesHandedOver'))} frames handed over, ${span(range(t, 'framesReceived'))} received, `
    + `${span(range(t, 'framesDropped'))} dropped, ${span(range(t, 'framesFailed'))} failed, ${span(range(t, 'framesLostInFlight'))} lost in flight `
    + `(${span(range(t, 'framesUnconfirmed'))} counted unconfirmed)`;
}

function backoff(f: FileResult): string {
  const kinds = f.tests.filter((t) => t.runs.some((r) => r.figures && r.figures.kind));
  if (!kinds.length) throw new Error(`${f.file}: no fault kind with figures`);
  const lines = kinds.map((t) => {
    const gaps = perRun<number[]>(t, 'gapsSeconds').map((g) => g.map(secs).join(', ')).join(' / ');
    return `${perRun<string>(t, 'kind')[0]}: ${span(range(t, 'attempts'))} attempts in ${span(range(t, 'outageSeconds'), secs)} s (fake time), gaps ${gaps} s, `
      + `${span(range(t, 'framesDropped'))} of ${span(range(t, 'framesAppended'))} frames dropped and counted`;
  });
  const refused = test(f, 'refused key');
  lines.push(`a refused key: ${span(range(refused, 'attempts'))} attempt(s), ${span(range(refused, 'refusals'))} refusal(s) `
    + `for ${span(range(refused, 'framesAppended'))} frames of audio`);
  return lines.join('; ');
}

function outage(f: FileResult): string {
  const t = test(f);
  const texts = perRun<string[]>(t, 'warningTexts')[0].map((w) => `\`${w.replace(/[|`]/g, ' ')}\``);
  return `${span(range(t, 'attempts'))} attempts in a ${span(range(t, 'outageSeconds'), secs)} s outage (the backoff allows `
    + `${span(range(t, 'allowedAttempts'))}), ${span(range(t, 'warnings'))} warnings, ${span(range(t, 'framesDropped'))} audio frames `
    + `not sent meanwhile; the warnings (run 1): ${texts.join(', ')}`;
}

function flood(f: FileResult): string {
  const t = test(f);
  return `${span(range(t, 'warnings'))} warnings for ${span(range(t, 'counted'))} bad frames, every one counted in them`;
}

function coalescer(f: FileResult): string {
  const t = test(f);
  return `a flood of ${span(range(t, 'warningsIn'))} warnings said ${span(range(t, 'warningsSaid'))} `
    + `times, at ${perRun<number[]>(t, 'saidAtSeconds')[0].join(', ')} s (fake time)`;
}

function secrets(f: FileResult): string {
  const t = test(f, 'hook');
  return `the run-wide check searched ${span(range(t, 'logLines'))} log lines, ${span(range(t, 'statuses'))} statuses, `
    + `${span(range(t, 'editorMessages'))} editor messages and ${span(range(t, 'sentMessages'))} sent messages for `
    + `${span(range(t, 'keys'))} configured keys`;
}

/** What each file measured beyond its tests passing and their time (none: mocha's report says all there is). */
export const MEASURED: Record<string, (f: FileResult) => string> = {
  'test/faults.test.ts': faults,
  'test/fuzz.test.ts': fuzz,
  'test/client-recovery.test.ts': recovery,
  'test/client-backoff.test.ts': backoff,
  'test/nodes-outage.test.ts': outage,
  'test/client-flood.test.ts': flood,
  'test/util-warning-coalescer.test.ts': coalescer,
  'test/nodes-session-state.test.ts': () => '',
  'test/secrets.test.ts': secrets,
};

/** How many tests a file has, and mocha's time for the whole file over its runs. */
export function testsAndTime(f: FileResult): { tests: string; seconds: string } {
  const tests = f.tests.filter((t) => !t.hook).length;
  const times = f.runs.map((r) => r.seconds);
  return { tests: count(tests), seconds: span([Math.min(...times), Math.max(...times)], secs) };
}
