/**
 * What the version matrix installs, all from the npm registry: Node-RED releases and Node.js
 * binaries (cached in .cache/version-matrix/, once per range), and this package's tarball in a
 * fresh user dir, the way Node-RED's palette manager runs npm.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const CACHE = join(ROOT, '.cache', 'version-matrix');
const PACKAGE_NAME: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).name;

interface NpmResult { code: number; output: string }

/** How to run npm: the one on PATH, or a cached npm-cli.js on a given Node.js. */
export interface Npm { node: string; cli: string }

function npm(args: string[], cwd: string, with_?: Npm): Promise<NpmResult> {
  return new Promise((res, rej) => {
    const child = with_
      ? spawn(with_.node, [with_.cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: `${dirname(with_.node)}:${process.env.PATH}` } })
      : spawn('npm', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => { output += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
    child.on('error', rej);
    child.on('close', (code) => res({ code: code ?? 1, output }));
  });
}

/** `name@range` installed once into the cache; returns its directory and exact version. */
async function ensurePackage(name: string, range: string): Promise<{ dir: string; version: string }> {
  const home = join(CACHE, `${name}@${range}`.replace(/[^\w.@-]/g, '_'));
  const dir = join(home, 'node_modules', name);
  const complete = join(home, '.complete');
  if (!existsSync(complete)) {
    rmSync(home, { recursive: true, force: true });
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'package.json'), '{ "private": true }\n');
    console.log(`installing ${name}@${range} from the npm registry into ${home}`);
    const r = await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', `${name}@${range}`], home);
    if (r.code !== 0) throw new Error(`npm install ${name}@${range} failed:\n${r.output}`);
    writeFileSync(complete, '');
  }
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  return { dir, version };
}

export function ensureNodeRed(range: string): Promise<{ dir: string; version: string }> {
  return ensurePackage('node-red', range);
}

/** A Node.js binary, from the registry's `node-<platform>-<arch>` package (what the `node` package installs). */
export async function ensureNode(range: string): Promise<{ bin: string; version: string }> {
  const { dir } = await ensurePackage(`node-${process.platform}-${process.arch}`, range);
  const bin = join(dir, 'bin', 'node');
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  return { bin, version };
}

/** An npm release's CLI, to run on a Node.js that the npm on PATH does not support. */
export async function ensureNpm(range: string): Promise<string> {
  const { dir } = await ensurePackage('npm', range);
  return join(dir, 'bin', 'npm-cli.js');
}

/**
 * A fresh user dir with the tarball installed by the palette manager's npm command, run by the
 * Node.js the Node-RED process will run on, so that `--engine-strict` checks that one.
 * Fails when npm refuses the package or holds any script of it for approval.
 */
export async function installLikePalette(tarball: string, with_?: Npm): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'livetranslate-userdir-'));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'node-red-project', description: 'A Node-RED Project', version: '0.0.1', private: true }, null, 2)}\n`);
  const r = await npm(['install', '--no-audit', '--no-update-notifier', '--no-fund', '--save', '--save-prefix=~', '--omit=dev',
    '--engine-strict', '--prefer-offline', tarball], dir, with_);
  const held = r.output.split('\n').filter((l) => /install-scripts/.test(l) && l.includes(PACKAGE_NAME));
  if (r.code !== 0 || held.length > 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`npm install --engine-strict (Node.js ${with_ ? with_.node : process.version}) of ${tarball} ${r.code !== 0 ? 'failed' : 'holds install scripts of the package'}:\n${r.output}`);
  }
  return dir;
}
