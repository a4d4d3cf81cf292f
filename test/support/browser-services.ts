/**
 * Real services for the end-to-end tests: a Node-RED process (see ./under-test for which) in a
 * temporary user dir with this package and Dashboard 2 linked in, the simulator on a free port,
 * a mosquitto broker on loopback, and Debian's chromium driven by playwright-core.
 *
 * Nothing here downloads anything: chromium and mosquitto are Debian packages that .ci/run
 * installs. When one is missing the test fails and says so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Simulator, loadScript } from '../../src/simulator';
import { NODE_BIN, NODE_RED_DIR, PACKAGE_DIR } from './under-test';

export const ROOT = resolve(__dirname, '..', '..');
export const PACKAGE_NAME: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).name;
/** Screenshots and reports; the version matrix gives each target's run a folder of its own. */
export const ARTIFACTS = process.env.LIVETRANSLATE_ARTIFACTS ? resolve(process.env.LIVETRANSLATE_ARTIFACTS) : join(ROOT, 'test-artifacts');
export const EXAMPLES_DIR = join(ROOT, 'examples');
export const CHROMIUM = '/usr/bin/chromium';
export const MOSQUITTO_CANDIDATES = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'];
/** The simulator URL the examples are written with (what `npm start` serves). */
export const EXAMPLE_SIM_URL = 'ws://127.0.0.1:8765/api-ws/v1/realtime';
/** The announcement the examples play, and what the simulator answers for it. */
export const ANNOUNCEMENT_WAV = join(EXAMPLES_DIR, 'announcement.wav');
export const ANNOUNCEMENT_SCRIPT = join(EXAMPLES_DIR, 'announcement.script');

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

export async function waitUntil<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The simulator with the examples' script, on a free port. */
export async function startExampleSimulator(): Promise<{ sim: Simulator; url: string }> {
  const sim = new Simulator({ port: 0, host: '127.0.0.1', script: loadScript(ANNOUNCEMENT_SCRIPT) });
  const url = await sim.start();
  return { sim, url };
}

export interface RedProcess {
  url: string;
  port: number;
  userDir: string;
  /** Everything Node-RED printed. */
  log: string[];
  /** Lines of the log that report an error or a warning, from index `from` on. */
  problems(from?: number): string[];
  /** POSTs a flow (full deploy) through the admin API. */
  deploy(flow: object[]): Promise<void>;
  /** Presses an inject node's button, as the editor does. */
  inject(id: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a real Node-RED. Its working directory is the user dir, whose node_modules links this
 * package and Dashboard 2, so the examples' relative file paths resolve as for a user who
 * installed the package from the palette manager.
 */
export async function startNodeRed(opts: {
  env?: Record<string, string>;
  flows?: object[];
  /** More packages of this repository's node_modules to install in the user dir (e.g. node-red-contrib-home-assistant-websocket). */
  modules?: string[];
  /** More settings.js properties, as source text (e.g. `httpNodeAuth: { user: 'a', pass: '…' },`). */
  settings?: string;
} = {}): Promise<RedProcess> {
  const userDir = mkdtempSync(join(tmpdir(), 'livetranslate-red-'));
  const modules = join(userDir, 'node_modules');
  mkdirSync(join(modules, '@flowfuse'), { recursive: true });
  symlinkSync(PACKAGE_DIR, join(modules, PACKAGE_NAME), 'dir');
  symlinkSync(join(ROOT, 'node_modules', '@flowfuse', 'node-red-dashboard'), join(modules, '@flowfuse', 'node-red-dashboard'), 'dir');
  for (const m of opts.modules || []) symlinkSync(join(ROOT, 'node_modules', m), join(modules, m), 'dir');
  writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'livetranslate-e2e', private: true }));
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(opts.flows || []));
  const port = await freePort();
  writeFileSync(join(userDir, 'settings.js'), `module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${port},
  flowFile: 'flows.json',
  credentialSecret: false,
  fileWorkingDirectory: ${JSON.stringify(userDir)},
  editorTheme: { tours: false, projects: { enabled: false }, palette: { editable: false } },
  diagnostics: { enabled: false },
  telemetry: { enabled: false },
  logging: { console: { level: 'info', metrics: false, audit: false } },
  ${opts.settings || ''}
};
`);
  const log: string[] = [];
  const child: ChildProcess = spawn(NODE_BIN, [join(NODE_RED_DIR, 'red.js'), '--userDir', userDir, '--settings', join(userDir, 'settings.js')], {
    cwd: userDir,
    env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  child.on('exit', () => { exited = true; });
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) log.push(line);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited) {
      child.kill('SIGINT');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await waitUntil(() => exited, 8000, 'Node-RED to exit').catch(() => undefined);
      clearTimeout(killer);
    }
    rmSync(userDir, { recursive: true, force: true });
  };
  try {
    await waitUntil(() => {
      if (exited) throw new Error(`Node-RED exited while starting:\n${log.join('\n')}`);
      return log.some((l) => /Started flows|Server now running/.test(l)) && log.some((l) => /Server now running/.test(l));
    }, 30000, 'Node-RED to start');
  } catch (e) {
    await stop();
    throw e;
  }
  return redProcess(url, port, userDir, log, stop);
}

/** The handle of a running Node-RED: its log, and deploys and inject presses through the admin API. */
function redProcess(url: string, port: number, userDir: string, log: string[], stop: () => Promise<void>): RedProcess {
  const admin = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`POST ${path}: HTTP ${res.status} ${await res.text()}`);
  };
  return {
    url, port, userDir, log,
    problems: (from = 0) => log.slice(from).filter((l) => /\[(error|warn)\]/.test(l)),
    deploy: (flow) => admin('/flows', flow, { 'Node-RED-Deployment-Type': 'full' }),
    inject: (id) => admin(`/inject/${id}`, {}),
    stop,
  };
}

/**
 * `npm start` itself (scripts/start.js, without building again), as a newcomer runs it: no
 * DASHSCOPE_API_KEY, its own simulator, Node-RED in a temporary user dir. The editor's port is a
 * free one; the simulator takes any free port (SIM_PORT=0) and `simUrl` is where it listens.
 */
export async function startNpmStart(): Promise<RedProcess & { simUrl: string }> {
  const userDir = mkdtempSync(join(tmpdir(), 'livetranslate-start-'));
  const port = await freePort();
  const env: Record<string, string | undefined> = { ...process.env, PORT: String(port), SIM_PORT: '0' };
  delete env.DASHSCOPE_API_KEY;
  delete env.DASHSCOPE_REGION;
  const log: string[] = [];
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.js'), '--no-build', '--user-dir', userDir], {
    cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  child.on('exit', () => { exited = true; });
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) log.push(line);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const stop = async () => {
    if (!exited) {
      child.kill('SIGINT');
      await waitUntil(() => exited, 10000, 'npm start to exit').catch(() => child.kill('SIGKILL'));
    }
    rmSync(userDir, { recursive: true, force: true });
  };
  let simUrl = '';
  try {
    await waitUntil(() => {
      if (exited) throw new Error(`npm start exited while starting:\n${log.join('\n')}`);
      const sim = log.map((l) => /SIMULATOR at (ws:\/\/\S+)/.exec(l)).find(Boolean);
      if (sim) simUrl = sim[1];
      return simUrl && log.some((l) => /Node-RED editor: http/.test(l));
    }, 30000, 'npm start to start');
  } catch (e) {
    await stop();
    throw e;
  }
  return { ...redProcess(`http://127.0.0.1:${port}`, port, userDir, log, stop), simUrl };
}

/** An example flow as shipped, with its simulator URL and MQTT broker port pointed at the test's. */
export function exampleFlow(file: string, rewrite: { simUrl?: string; mqttPort?: number } = {}): Array<Record<string, unknown>> {
  const text = readFileSync(join(EXAMPLES_DIR, file), 'utf8');
  return rewriteExample(JSON.parse(text), rewrite);
}

export function rewriteExample(flow: Array<Record<string, unknown>>, rewrite: { simUrl?: string; mqttPort?: number }): Array<Record<string, unknown>> {
  for (const n of flow) {
    if (n.type === 'livetranslate-session' && rewrite.simUrl) {
      if (n.url !== EXAMPLE_SIM_URL) throw new Error(`example session ${String(n.id)} does not use ${EXAMPLE_SIM_URL}`);
      n.url = rewrite.simUrl;
    }
    if (n.type === 'mqtt-broker' && rewrite.mqttPort) n.port = String(rewrite.mqttPort);
  }
  return flow;
}

export interface Mosquitto { port: number; stop(): Promise<void>; log: string[] }

/** A mosquitto broker on 127.0.0.1 and a free port, anonymous, no persistence. */
export async function startMosquitto(): Promise<Mosquitto> {
  const bin = MOSQUITTO_CANDIDATES.find((p) => existsSync(p));
  if (!bin) {
    throw new Error(`mosquitto is not installed (looked for ${MOSQUITTO_CANDIDATES.join(', ')}). ` +
      'It is a Debian package: apt-get install mosquitto (.ci/run installs it).');
  }
  const dir = mkdtempSync(join(tmpdir(), 'livetranslate-mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stdout\n`);
  const log: string[] = [];
  const child = spawn(bin, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  child.on('exit', () => { exited = true; });
  child.stdout.on('data', (c: Buffer) => log.push(c.toString()));
  child.stderr.on('data', (c: Buffer) => log.push(c.toString()));
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      await waitUntil(() => exited, 5000, 'mosquitto to exit').catch(() => child.kill('SIGKILL'));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(async () => {
      if (exited) throw new Error(`mosquitto exited: ${log.join('')}`);
      return canConnect(port);
    }, 10000, 'mosquitto to listen');
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, stop, log };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = require('node:net').connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); res(true); });
    s.once('error', () => res(false));
  });
}

/** Debian's chromium through playwright-core: never a downloaded browser. */
export async function launchChromium(extraArgs: string[] = []) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing. The browser tests use Debian's chromium (apt-get install chromium; .ci/run installs it), never a downloaded browser.`);
  }
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'livetranslate-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale: 'en-US',
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--lang=en-US', ...extraArgs],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
