/**
 * `npm test`: the whole suite on one Node-RED, the end-to-end slice on the others, each against
 * the package installed from its `npm pack` tarball the way the palette manager installs it
 * (`npm install --engine-strict <tarball>` in a fresh user dir).
 *
 * Node-RED releases and Node.js binaries come from the npm registry (Node.js as the package
 * `node-<platform>-<arch>`) into .cache/version-matrix/, once. The test harness (mocha, chromium,
 * the simulator) runs on this Node.js; the Node-RED process under test runs on the target's.
 *
 * The targets' tests, cut into mocha jobs by ./version-matrix/plan, run side by side in lanes
 * (./version-matrix/lanes), each job's output printed whole when it ends.
 * Prints one table row per target and a closing "N passed, N failed" line, writes
 * test-artifacts/version-matrix.json; with --readme, also rewrites README's versions table.
 * --install only fills the cache (.ci/run does it before `npm test`); --jobs sets how many mocha
 * processes run at once.
 *
 *   tsx scripts/version-matrix.ts [--install] [--readme] [--only <node-red range>] [--jobs <n>]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packTarball } from '../test/support/tarball';
import { ensureNode, ensureNodeRed, ensureNpm, installLikePalette } from './version-matrix/installs';
import { failuresOf, runLanes, slowest, type Job } from './version-matrix/lanes';
import { planSlice, planSuite, suiteFiles } from './version-matrix/plan';
import { renderTable, updateReadme, type Row } from './version-matrix/report';

const ROOT = resolve(__dirname, '..');
/**
 * Mocha processes at once: two per core. The tests mostly wait (real-time audio, a browser, a
 * child process), so on 2 cores four processes finish the run in well under half the time of one
 * without making the waits late; more would mostly add start-ups competing for the CPU.
 */
const DEFAULT_LANES = Math.min(6, 2 * availableParallelism());
/** Browser jobs at once: chromium and Node-RED starting together are what loads 2 cores most. */
const BROWSER_LANES = 3;

interface Target {
  /** npm range of node-red, or null for the one in devDependencies. */
  nodeRed: string | null;
  /** Node.js for the Node-RED process: an npm range of `node-<platform>-<arch>`, or null for this one. */
  node: string | null;
  /** The npm that installs the package on that Node.js (a user's palette manager runs the npm of their Node.js). */
  npm: string | null;
  suite: 'full' | 'slice';
}

const TARGETS: Target[] = [
  { nodeRed: null, node: null, npm: null, suite: 'full' },
  // The oldest Node-RED the package claims, on the lowest Node.js it claims (engines.node).
  { nodeRed: '~3.1', node: '18.17.0', npm: '^10', suite: 'slice' },
  // What a new install gets today.
  { nodeRed: '^5', node: '22', npm: '^11', suite: 'slice' },
];

/**
 * The representative slice: the nodes in a real runtime translating speech, the four nodes
 * registered in the editor's palette, the session dialog opened from a node, an example
 * imported and deployed, and the captions example translating in the browser.
 */
const SLICE_FILES = ['test/installed.test.ts', 'test/nodes-end-to-end.test.ts', 'test/browser.test.ts', 'test/browser-examples.test.ts', 'test/browser-dashboard.test.ts'];
const SLICE_GREP = 'installed in a Node-RED user dir|end to end in Node-RED|shows the nodes in the palette|session dialog|imports "translate-a-recording"|captions page: the transcript';
/** The slice's test count: fewer passing means a title changed and the slice lost a test. */
const SLICE_TESTS = 9;

/** A target ready to test: its Node-RED, its Node.js, and the package installed from the tarball. */
interface Prepared { target: Target; row: Pick<Row, 'nodeRed' | 'node' | 'suite'>; env: Record<string, string>; userDir: string }

async function prepare(t: Target, tarball: string): Promise<Prepared> {
  const nodeRed = t.nodeRed ? await ensureNodeRed(t.nodeRed) : { dir: join(ROOT, 'node_modules', 'node-red'), version: require('node-red/package.json').version as string };
  const node = t.node ? await ensureNode(t.node) : { bin: process.execPath, version: process.version };
  const userDir = await installLikePalette(tarball, t.npm ? { node: node.bin, cli: await ensureNpm(t.npm) } : undefined);
  const env: Record<string, string> = {
    LIVETRANSLATE_TARBALL: tarball,
    LIVETRANSLATE_INSTALLED: userDir,
    LIVETRANSLATE_NODE_RED: nodeRed.dir,
    LIVETRANSLATE_NODE: node.bin,
  };
  // The slices run beside the whole suite: their screenshots go to a folder of their own.
  if (t.suite === 'slice') env.LIVETRANSLATE_ARTIFACTS = join(ROOT, 'test-artifacts', `node-red-${nodeRed.version}`);
  return { target: t, row: { nodeRed: nodeRed.version, node: node.version, suite: t.suite }, env, userDir };
}

/** The target's mocha jobs, each with the seconds it is expected to take. */
function jobsOf(p: Prepared): Array<Job & { seconds: number }> {
  const name = `Node-RED ${p.row.nodeRed} on Node.js ${p.row.node}`;
  const slice = p.target.suite === 'slice';
  return (slice ? planSlice(SLICE_FILES) : planSuite(suiteFiles())).map((j) => ({
    label: `${name}: ${slice ? 'end-to-end slice of ' : ''}${j.name}`,
    args: slice ? [...j.files, '--grep', SLICE_GREP] : j.files,
    env: p.env, seconds: j.seconds, browser: j.browser, alone: j.alone,
  }));
}

/** Runs every target's jobs in the lanes and sums them up per target. */
async function runTargets(prepared: Prepared[], lanes: number): Promise<Row[]> {
  const jobs = prepared.flatMap((p, target) => jobsOf(p).map((j) => ({ ...j, target })))
    .sort((a, b) => b.seconds - a.seconds);
  console.log(`${jobs.length} mocha jobs in ${lanes} lanes, at most ${BROWSER_LANES} of them with a browser`);
  const results = await runLanes(jobs, { lanes, browsers: BROWSER_LANES });
  console.log(`\nslowest jobs:\n${slowest(jobs, results)}`);
  const failures = failuresOf(jobs, results);
  if (failures) console.log(`\nfailed jobs, as mocha reported them:\n${failures}`);
  return prepared.map((p, target) => {
    const mine = results.filter((_r, i) => jobs[i].target === target);
    const sum = (k: 'passed' | 'failed' | 'pending') => mine.reduce((n, r) => n + r[k], 0);
    const row = { ...p.row, passed: sum('passed'), failed: sum('failed'), pending: sum('pending') };
    if (p.target.suite === 'slice' && row.passed + row.failed < SLICE_TESTS) {
      console.log(`${p.row.nodeRed}: the slice ran ${row.passed + row.failed} tests, expected ${SLICE_TESTS}: a test title changed (SLICE_GREP)`);
      row.failed += SLICE_TESTS - row.passed - row.failed;
    }
    return row;
  });
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  const targets = only ? TARGETS.filter((t) => (t.nodeRed ?? 'dev') === only) : TARGETS;
  if (targets.length === 0) throw new Error(`no target for --only ${only}`);
  if (argv.includes('--install')) {
    for (const t of targets) {
      if (t.nodeRed) await ensureNodeRed(t.nodeRed);
      if (t.node) await ensureNode(t.node);
      if (t.npm) await ensureNpm(t.npm);
    }
    return 0;
  }

  const lanes = argv.includes('--jobs') ? Number(argv[argv.indexOf('--jobs') + 1]) : DEFAULT_LANES;
  if (!(lanes >= 1)) throw new Error('--jobs takes a number of mocha processes to run at once');
  const packDir = mkdtempSync(join(tmpdir(), 'livetranslate-pack-'));
  const rows: Row[] = new Array(targets.length);
  const prepared: Prepared[] = [];
  try {
    const tarball = packTarball(packDir);
    // Installs side by side; a target that cannot even be set up (npm refuses the package…) is a
    // failed row, not the end of the run.
    const setups = await Promise.allSettled(targets.map((t) => prepare(t, tarball)));
    setups.forEach((s, i) => {
      if (s.status === 'fulfilled') prepared.push(s.value);
      else {
        console.error(s.reason);
        const t = targets[i];
        rows[i] = { nodeRed: t.nodeRed ?? 'dev', node: t.node ?? process.version, suite: t.suite, passed: 0, failed: 1, pending: 0 };
      }
    });
    const done = await runTargets(prepared, lanes);
    prepared.forEach((p, i) => { rows[targets.indexOf(p.target)] = done[i]; });
  } finally {
    for (const p of prepared) rmSync(p.userDir, { recursive: true, force: true });
    rmSync(packDir, { recursive: true, force: true });
  }
  const table = renderTable(rows);
  console.log(`\n${table}`);
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  writeFileSync(join(ROOT, 'test-artifacts', 'version-matrix.json'), `${JSON.stringify({ date: new Date().toISOString(), rows }, null, 2)}\n`);
  const passed = rows.reduce((n, r) => n + r.passed, 0);
  const failed = rows.reduce((n, r) => n + r.failed, 0);
  if (argv.includes('--readme')) {
    if (failed > 0 || only) console.log('README not updated: it lists only a complete, green run');
    else updateReadme(join(ROOT, 'README.md'), table);
  }
  console.log(`versions: ${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
