/**
 * `npm test`: the whole suite on one Node-RED, the end-to-end slice on the others, each against
 * the package installed from its `npm pack` tarball the way the palette manager installs it
 * (`npm install --engine-strict <tarball>` in a fresh user dir).
 *
 * Node-RED releases and Node.js binaries come from the npm registry (Node.js as the package
 * `node-<platform>-<arch>`) into .cache/version-matrix/, once. The test harness (mocha, chromium,
 * the simulator) runs on this Node.js; the Node-RED process under test runs on the target's.
 *
 * Prints one table row per target and a closing "N passed, N failed" line, writes
 * test-artifacts/version-matrix.json; with --readme, also rewrites README's versions table.
 * --install only fills the cache (.ci/run does it before `npm test`).
 *
 *   tsx scripts/version-matrix.ts [--install] [--readme] [--only <node-red range>]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packTarball } from '../test/support/tarball';
import { ensureNode, ensureNodeRed, ensureNpm, installLikePalette } from './version-matrix/installs';
import { renderTable, updateReadme, type Row } from './version-matrix/report';

const ROOT = resolve(__dirname, '..');
const MOCHA = join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');

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
const SLICE_FILES = ['test/installed.test.ts', 'test/nodes-end-to-end.test.ts', 'test/browser.test.ts'];
const SLICE_GREP = 'installed in a Node-RED user dir|end to end in Node-RED|shows the nodes in the palette|session dialog|imports "translate-a-recording"|captions page: the transcript';
/** The slice's test count: fewer passing means a title changed and the slice lost a test. */
const SLICE_TESTS = 9;

interface MochaResult { passed: number; failed: number; pending: number; code: number }

function runMocha(args: string[], env: Record<string, string>): Promise<MochaResult> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [MOCHA, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { process.stdout.write(c); out += c.toString(); });
    child.on('error', rej);
    child.on('close', (code) => {
      const count = (word: string) => Number((new RegExp(`(\\d+) ${word}`).exec(out) || [])[1] || 0);
      res({ passed: count('passing'), failed: count('failing'), pending: count('pending'), code: code ?? 1 });
    });
  });
}

async function runTarget(t: Target, tarball: string): Promise<Row> {
  const nodeRed = t.nodeRed ? await ensureNodeRed(t.nodeRed) : { dir: join(ROOT, 'node_modules', 'node-red'), version: require('node-red/package.json').version as string };
  const node = t.node ? await ensureNode(t.node) : { bin: process.execPath, version: process.version };
  console.log(`\n=== Node-RED ${nodeRed.version} on Node.js ${node.version}: ${t.suite === 'full' ? 'full suite' : 'end-to-end slice'} ===`);
  const userDir = await installLikePalette(tarball, t.npm ? { node: node.bin, cli: await ensureNpm(t.npm) } : undefined);
  try {
    const env = {
      LIVETRANSLATE_TARBALL: tarball,
      LIVETRANSLATE_INSTALLED: userDir,
      LIVETRANSLATE_NODE_RED: nodeRed.dir,
      LIVETRANSLATE_NODE: node.bin,
    };
    const args = t.suite === 'full' ? ['test/**/*.test.ts'] : [...SLICE_FILES, '--grep', SLICE_GREP];
    const r = await runMocha(args, env);
    let failed = r.failed;
    if (r.code !== 0 && failed === 0) failed = 1; // mocha died before its summary
    if (t.suite === 'slice' && r.passed + r.failed < SLICE_TESTS) {
      console.log(`the slice ran ${r.passed + r.failed} tests, expected ${SLICE_TESTS}: a test title changed (SLICE_GREP)`);
      failed += SLICE_TESTS - r.passed - r.failed;
    }
    return { nodeRed: nodeRed.version, node: node.version, suite: t.suite, passed: r.passed, failed, pending: r.pending };
  } finally {
    rmSync(userDir, { recursive: true, force: true });
  }
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

  const packDir = mkdtempSync(join(tmpdir(), 'livetranslate-pack-'));
  const rows: Row[] = [];
  try {
    const tarball = packTarball(packDir);
    for (const t of targets) {
      // A target that cannot even be set up (npm refuses the package…) is a failed row, not the end of the run.
      rows.push(await runTarget(t, tarball).catch((e: unknown) => {
        console.error(e);
        return { nodeRed: t.nodeRed ?? 'dev', node: t.node ?? process.version, suite: t.suite, passed: 0, failed: 1, pending: 0 };
      }));
    }
  } finally {
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
