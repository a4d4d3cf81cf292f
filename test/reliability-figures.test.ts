/**
 * The reliability figures in the docs are generated, not typed: `npm run reliability -- --write-docs` publishes only
 * a run in which every test passed (scripts/reliability-publish.ts refuses anything else), the blocks must be what
 * docs/reliability.json renders to, and the prose around them may state what a test asserts, never what it measured.
 * Nothing here runs the reliability tests.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyBlocks, outsideBlocks } from '../bench/publish';
import { publishProblems, RELIABILITY_PUBLICATION, renderReliabilityBlocks, writeReliabilityDocs } from '../scripts/reliability-publish';
import { fileResults, RELIABILITY_FILES, type ReliabilityResult } from '../scripts/reliability-result';
import { joinRun, runFile, type FileRun, type Figures } from '../scripts/reliability-run';
import { recordFigures } from './support/figures';

const ROOT = join(__dirname, '..');
const { tag: TAG, docs: DOCS } = RELIABILITY_PUBLICATION;
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
/** The published files as they are now, to show that a refusal wrote none of them. */
const snapshot = () => [RELIABILITY_PUBLICATION.resultFile, ...DOCS.map((d) => d.file)].map((f) => (existsSync(join(ROOT, f)) ? read(f) : null));

/**
 * A measurement, as opposed to what a test asserts ("at most 8 attempts") or its settings ("a 60 s outage",
 * "20,000 invalid JSON frames"): an approximate or percent figure, a test count, a seed, counted attempts,
 * warnings, connections or frames, backoff gaps, a time to recover, a test's duration.
 */
const RELIABILITY_FIGURE = new RegExp([
  '≈\\s?\\d[\\d,.]*', '\\b\\d+ tests?\\b', '\\d[\\d.]*\\s?%', '\\bseed \\d+',
  '(?<!at (?:most|least) )\\b\\d[\\d,]*(?:–\\d+)? (?:connection )?attempts\\b', '(?<!at most )\\b\\d[\\d,]*(?:–\\d+)? warnings\\b',
  '\\b\\d[\\d,]*(?:–\\d[\\d,]*)? (?:connections|handed over|received|dropped|failed|lost in flight|(?:counted )?unconfirmed|accepted)\\b',
  '\\b\\d[\\d,]* of \\d[\\d,]* (?:audio )?frames', '\\bgaps?(?: e\\.g\\.)? \\d',
  '(?:connected|answered)(?: again)? (?:within |after )?(?:≈ ?)?\\d', '\\b\\d[\\d,.]*(?:–\\d[\\d,.]*)? s (?:for the whole test|on \\d cores)',
  '\\b\\d[\\d,]* before(?: the fix)?\\)', '\\b\\d[\\d,]* audio frame\\(s\\)',
].join('|'), 'g');

/** The paragraphs, table rows and list items outside every generated block that speak of a reliability test file. */
function reliabilityProse(text: string): string[] {
  const prose = ['bench', 'soak', TAG].reduce((t, tag) => outsideBlocks(t, tag), text);
  const units = prose.split(/\n\s*\n/).flatMap((p) => (p.trimStart().startsWith('|') ? p.split('\n') : p.split(/\n(?=\s*- )/)));
  const names = RELIABILITY_FILES.map((f) => f.file.replace('test/', ''));
  return units.filter((u) => names.some((n) => u.includes(n)) || /fault suite|\bfuzz\b/i.test(u));
}

const SECRETS_HOOK = '"after all" hook in "{root}"';
/** Each file's tests and what they recorded (round figures: input for the checks, not measured). */
const FIXTURE: Record<string, Array<[string, Figures?]>> = {
  'test/faults.test.ts': [['fault suite survives', {
    seed: 11, sessions: 6, faults: 1100, faultSeconds: 30.5, recoveredMs: 700, eventLoopLagMs: 40, connectionsPerSession: [90, 95, 99],
    framesHandedOver: 7000, framesReceived: 6000, framesDropped: 800, framesFailed: 10, framesLostInFlight: 190, framesUnconfirmed: 5000,
  }]],
  'test/fuzz.test.ts': [['fuzz inputs', { seed: 12, inputs: 1000, audio: 500, image: 300, control: 200, accepted: 500, caughtErrors: 500, sendMs: 900, answeredMs: 1500 }]],
  'test/client-recovery.test.ts': [['recovery a silent server'], ['recovery across repeated cuts mid-stream', {
    connections: 6, framesHandedOver: 350, framesReceived: 300, framesDropped: 40, framesFailed: 0, framesLostInFlight: 10, framesUnconfirmed: 30,
  }]],
  'test/client-backoff.test.ts': [
    ['backoff outage: a live mic', { kind: 'outage', outageSeconds: 60, attempts: 7, gapsSeconds: [0.8, 1.4, 3.4], framesAppended: 600, framesDropped: 550, framesQueued: 50 }],
    ['backoff a refused key never retries', { framesAppended: 600, attempts: 1, refusals: 1 }],
  ],
  'test/nodes-outage.test.ts': [['outage retries', { outageSeconds: 10, attempts: 9, allowedAttempts: 13, warnings: 2, warningTexts: ['lost', 'back'], framesDropped: 49 }]],
  'test/client-flood.test.ts': [['flood', { warnings: 2, counted: 20000 }]],
  'test/util-warning-coalescer.test.ts': [['coalescer flood', { warningsIn: 300000, warningsSaid: 5, saidAtSeconds: [0, 1, 3, 7, 15] }], ['coalescer kinds']],
  'test/nodes-session-state.test.ts': [['state one'], ['state two']],
  'test/secrets.test.ts': [['secrets own flow'], [SECRETS_HOOK, { keys: 3, logLines: 100, statuses: 50, editorMessages: 20, sentMessages: 40 }]],
};

/** One mocha run of `file` as scripts/reliability-run.ts reads it; `failing` names a test that failed. */
function fakeRun(file: string, run: number, failing?: string): FileRun {
  const tests = FIXTURE[file].filter(([title]) => title !== SECRETS_HOOK).map(([title]) => ({ title, fullTitle: title, duration: 1000 + run * 100 }));
  const failures = tests.filter((t) => t.fullTitle === failing).map((t) => ({ ...t, err: { message: 'expected 1 to equal 2' } }));
  const report = { stats: { duration: 5000 + run * 100 }, tests, passes: tests.filter((t) => t.fullTitle !== failing), failures, pending: [] };
  const lines = FIXTURE[file].filter(([, f]) => f).map(([test, figures]) => ({ test, figures: { ...figures, ...(figures!.seed ? { seed: run + 100 } : {}) } }));
  return joinRun(file, failures.length ? 1 : 0, report, lines, '');
}

function passingResult(runs = 3): ReliabilityResult {
  const all = RELIABILITY_FILES.flatMap(({ file, seeded }) => Array.from({ length: seeded ? runs : 1 }, (_x, i) => fakeRun(file, i)));
  return {
    date: '2026-01-02T03:04:05.000Z', command: 'npm run reliability -- --write-docs', loadAverageAtEnd: 0.7, wallSeconds: 200, jobs: 1, settings: {},
    machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 4, node: 'v20.0.0', os: 'linux test', loadAverage: 0.5 }, files: fileResults(all),
  };
}

describe('reliability figures: what may be published', () => {
  it('a run in which every test of every file passed may be published; its ranges span the runs', () => {
    const r = passingResult();
    assert.deepEqual(publishProblems(r), []);
    const faults = r.files.find((f) => f.file === 'test/faults.test.ts')!;
    assert.equal(faults.runs.length, 3);
    assert.deepEqual(faults.tests[0].ranges.seed, [100, 102]);
    assert.deepEqual(faults.tests[0].ranges.connectionsPerSession, [90, 99]);
    const secrets = r.files.find((f) => f.file === 'test/secrets.test.ts')!;
    assert.equal(secrets.tests.find((t) => t.title === SECRETS_HOOK)!.hook, true, 'a figure line of no test is a hook\'s');
  });

  it('a results file from a failed run is refused, and writing it writes nothing', () => {
    const r = passingResult();
    const failed = fileResults([fakeRun('test/faults.test.ts', 0), fakeRun('test/faults.test.ts', 1, 'fault suite survives'), fakeRun('test/faults.test.ts', 2)]);
    r.files = r.files.map((f) => (f.file === 'test/faults.test.ts' ? failed[0] : f));
    const problems = publishProblems(r);
    assert.ok(problems.includes('test/faults.test.ts run 2: mocha exited 1'), problems.join('\n'));
    assert.ok(problems.includes('test/faults.test.ts: "fault suite survives" failed in 1 of 3 runs'), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes('expected 1 to equal 2')), problems.join('\n'));
    const before = snapshot();
    assert.throws(() => writeReliabilityDocs(r), /not published:[\s\S]*mocha exited 1/);
    assert.deepEqual(snapshot(), before);
  });

  it('a missing file or test, a replayed seed, a single run of a seeded file, doctored ranges or a missing figure are refused', () => {
    const cases: Array<[string, (r: ReliabilityResult) => void, RegExp]> = [
      ['missing file', (r) => { r.files = r.files.filter((f) => f.file !== 'test/secrets.test.ts'); }, /test\/secrets\.test\.ts did not run/],
      ['no test', (r) => { r.files[7].tests = []; }, /nodes-session-state\.test\.ts: no test ran/],
      ['replayed', (r) => { r.settings = { FAULT_SEED: '5' }; }, /FAULT_SEED=5 is set/],
      ['one run', (r) => { r.files[0].runs = r.files[0].runs.slice(0, 1); }, /faults\.test\.ts draws a random seed and ran 1 time/],
      ['doctored', (r) => { r.files[0].tests[0].ranges.framesReceived = [6000, 9999]; }, /the ranges are not what its runs give/],
      ['no figure', (r) => { delete r.files[1].tests[0].runs[0].figures!.accepted; }, /no figure accepted in a run/],
      ['skipped', (r) => { r.files[2].tests[0].runs[0].state = 'pending'; }, /"recovery a silent server" pending in 1 of 1 runs/],
    ];
    for (const [name, change, expected] of cases) {
      const r = passingResult();
      change(r);
      const problems = publishProblems(r);
      assert.ok(problems.some((p) => expected.test(p)), `${name}: ${problems.join('\n')}`);
    }
  });

  it('every published figure comes from the result: a changed figure changes the rendered blocks', () => {
    const r = passingResult();
    const blocks = renderReliabilityBlocks(r);
    assert.match(blocks.measured, /Test CPU, 2 cores.*load average 0\.5 at start, 0\.7 at end/);
    assert.match(blocks.measured, /\| `test\/faults\.test\.ts` \| 3 \| 1 \| 5\.0–5\.2 s \| seeds 100, 101, 102; 1,100 faults into 6 sessions/);
    assert.match(blocks.measured, /90–99 connections per session; every session back to connected 0\.7 s/);
    assert.match(blocks.measured, /7,000 handed over = 6,000 received \+ 800 dropped/);
    assert.match(blocks.measured, /\| `test\/fuzz\.test\.ts` \| 3 \| 1 \| [^|]+ \| [^|]*50 % accepted/);
    assert.match(blocks.measured, /\| `test\/nodes-session-state\.test\.ts` \| 1 \| 2 \| 5\.0 s \|/);
    assert.match(blocks['contributing-reliability'], /- `test\/faults\.test\.ts` \(3 runs\): seeds 100, 101, 102/);
    const changes: Array<(x: ReliabilityResult) => void> = [
      (x) => { x.files[0].tests[0].runs[1].figures!.framesReceived = 6001; },
      (x) => { x.files[0].tests[0].ranges.recoveredMs = [700, 800]; },
      (x) => { x.files[3].tests[0].runs[0].figures!.gapsSeconds = [0.8, 1.5, 3.4]; },
      (x) => { x.files[4].tests[0].ranges.warnings = [3, 3]; },
      (x) => { x.files[8].tests[1].ranges.logLines = [101, 101]; },
      (x) => { x.files[2].runs[0].seconds = 9; }, (x) => { x.machine.loadAverage = 1.5; }, (x) => { x.date = '2026-02-02T00:00:00Z'; },
    ];
    for (const change of changes) {
      const x = passingResult();
      change(x);
      assert.notDeepEqual(renderReliabilityBlocks(x), blocks, String(change));
    }
  });

  it('the prose check finds typed measurements and passes assertions and settings', () => {
    const typed = 'test/faults.test.ts: seed 503480119; 1,100 faults in ≈ 30 s; 90–100 connections per session; back to connected 0.4–0.8 s after the last; '
      + '7,714 handed over, 6,582 received, 952 dropped, 6 failed writes, 174 lost in flight, 6,422 unconfirmed; ≈ 50 % accepted; 13 tests; '
      + '7 attempts in 60 s, gaps e.g. 0.8, 1.4 s; 550 of 600 frames dropped; 9 attempts, 5 warnings; 2–3 warnings; 35 s for the whole test; (20,000 before); 49 audio frame(s)';
    assert.deepEqual(typed.match(RELIABILITY_FIGURE), ['seed 503480119', '≈ 30', '90–100 connections', 'connected 0', '7,714 handed over', '6,582 received',
      '952 dropped', '6 failed', '174 lost in flight', '6,422 unconfirmed', '≈ 50', '13 tests', '7 attempts', 'gaps e.g. 0', '550 of 600 frames',
      '9 attempts', '5 warnings', '2–3 warnings', '35 s for the whole test', '20,000 before)', '49 audio frame(s)']);
    const asserted = 'test/client-backoff.test.ts: a 60 s outage, 20,000 invalid JSON frames, at most 8 attempts, at most 10 warnings, said at most 4 times, '
      + 'a 15 s flood is said 5 times, 1,100 faults from 18 kinds into 6 live sessions, 1 s buffers, one attempt in 60 s of audio.';
    assert.equal(asserted.match(RELIABILITY_FIGURE), null);
    const doc = ['Intro.', '', '| a | b |', '|---|---|', '| `test/fuzz.test.ts` | 3 tests |', '| other | 5 tests |', '',
      '<!-- reliability:begin x -->', 'test/faults.test.ts 9 attempts', '<!-- reliability:end x -->', '', '- the fault suite item', '  4 warnings', '- other 7 %'].join('\n');
    assert.deepEqual(reliabilityProse(doc), ['| `test/fuzz.test.ts` | 3 tests |', '- the fault suite item\n  4 warnings']);
  });

  it('`npm run reliability -- --write-docs` with a replayed seed says why and exits non-zero before it runs', function () {
    this.timeout(60000);
    const before = snapshot();
    const env = { ...process.env, FAULT_SEED: '42' };
    const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(ROOT, 'scripts/reliability.ts'), '--write-docs'], { cwd: ROOT, env, encoding: 'utf8', timeout: 50000 });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /not published: FAULT_SEED set/);
    assert.equal(run.stdout, '', 'nothing ran');
    assert.deepEqual(snapshot(), before);
  });
});

describe('reliability figures: how a run is read', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'livetranslate-figures-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('recordFigures appends one line per call when LIVETRANSLATE_FIGURES names a file, and nothing without it', function () {
    const file = join(dir, 'figures.jsonl');
    const before = process.env.LIVETRANSLATE_FIGURES;
    try {
      delete process.env.LIVETRANSLATE_FIGURES;
      recordFigures(this.test, { n: 1 });
      assert.equal(existsSync(file), false);
      process.env.LIVETRANSLATE_FIGURES = file;
      recordFigures(this.test, { n: 2 });
      recordFigures(this.test, { n: 3, xs: [4, 5] });
    } finally {
      if (before === undefined) delete process.env.LIVETRANSLATE_FIGURES; else process.env.LIVETRANSLATE_FIGURES = before;
    }
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const test = this.test!.fullTitle();
    assert.deepEqual(lines, [{ file: 'test/reliability-figures.test.ts', test, figures: { n: 2 } }, { file: 'test/reliability-figures.test.ts', test, figures: { n: 3, xs: [4, 5] } }]);
  });

  it('a mocha run of a file: what passed and failed, each test\'s figures, a hook\'s figures, and the failure', async function () {
    this.timeout(60000);
    const sample = join(dir, 'sample.ts');
    writeFileSync(sample, [
      "import assert from 'node:assert/strict';",
      `import { recordFigures } from ${JSON.stringify(join(ROOT, 'test/support/figures'))};`,
      "describe('sample', () => {",
      "  it('measures', function () { recordFigures(this.test, { n: 3, xs: [1, 2] }); });",
      "  it('fails', function () { recordFigures(this.test, { n: 4 }); assert.equal(1, 2); });",
      "  it('measures nothing', () => { assert.ok(true); });",
      '});',
      'after(function () { recordFigures(this.test, { hooked: 1 }); });',
    ].join('\n'));
    const run = await runFile(sample);
    assert.equal(run.exitCode, 1, run.output);
    assert.ok(run.seconds >= 0);
    const simple = run.tests.map((t) => ({ title: t.title, state: t.state, figures: t.figures }));
    assert.deepEqual(simple, [
      { title: 'sample measures', state: 'passed', figures: { n: 3, xs: [1, 2] } },
      { title: 'sample fails', state: 'failed', figures: { n: 4 } },
      { title: 'sample measures nothing', state: 'passed', figures: undefined },
      { title: SECRETS_HOOK, state: 'hook', figures: { hooked: 1 } },
    ]);
    assert.equal(run.failures.length, 1);
    assert.match(run.failures[0], /^sample fails: Expected values to be strictly equal/);
  });
});

describe('reliability figures: what is published', () => {
  let committed: ReliabilityResult;
  before(() => { committed = JSON.parse(read(RELIABILITY_PUBLICATION.resultFile)) as ReliabilityResult; });

  it('docs/reliability.json is a run in which every test passed, with real ranges for the seeded files', () => {
    assert.deepEqual(publishProblems(committed), []);
    for (const { file, seeded } of RELIABILITY_FILES) {
      const f = committed.files.find((x) => x.file === file)!;
      assert.ok(f.tests.length >= 1 && f.runs.every((r) => Number.isFinite(r.seconds) && r.seconds >= 0), `${file}: tests and times`);
      if (seeded) assert.ok(f.runs.every((r) => r.seconds > 1), `${file}: a seeded run takes seconds, not none`);
      if (seeded) assert.ok(f.runs.length >= 2 && new Set(f.tests[0].runs.map((r) => r.figures!.seed)).size === f.runs.length, `${file}: a fresh seed each run`);
    }
  });

  for (const doc of DOCS) {
    it(`${doc.file}: the blocks are what docs/reliability.json renders to, and a figure changed by hand is found`, () => {
      const text = read(doc.file);
      const blocks = renderReliabilityBlocks(committed);
      assert.equal(applyBlocks(text, blocks, doc.blocks, TAG), text, `${doc.file} is stale: run npm run reliability -- --write-docs`);
      const seed = String(committed.files[0].tests[0].runs[0].figures!.seed);
      const begin = text.indexOf(`<!-- ${TAG}:begin ${doc.blocks[0]} -->`);
      const at = text.indexOf(seed, begin);
      assert.ok(begin >= 0 && at > begin, `the block gives the fault suite's first seed, ${seed}`);
      const edited = `${text.slice(0, at)}${seed}1${text.slice(at + seed.length)}`;
      assert.notEqual(applyBlocks(edited, blocks, doc.blocks, TAG), edited);
    });
  }

  it('the prose about the reliability tests, outside the blocks, states no measurement of its own', () => {
    const prose = DOCS.map((d) => [d.file, reliabilityProse(read(d.file))] as const);
    for (const [file, units] of prose) {
      const found = units.flatMap((u) => u.match(RELIABILITY_FIGURE) || []);
      assert.deepEqual(found, [], `${file} states measurements outside the generated blocks`);
    }
    // The check reads what it should: the table rows of the nine files in docs/reliability.md, the fault suite's and fuzz's rows in CONTRIBUTING.md.
    assert.ok(prose[0][1].length >= 8, prose[0][1].join('\n---\n'));
    assert.ok(prose[1][1].length >= 2, prose[1][1].join('\n---\n'));
  });
});
