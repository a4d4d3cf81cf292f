#!/usr/bin/env node
/**
 * `npm start`: builds the package, starts the local simulator of the service, and starts Node-RED
 * with this package and the example flow in a local user dir (.userdir/).
 *
 * Every example of the package points at the simulator (ws://127.0.0.1:8765) and holds no API key,
 * so the simulator always runs here and Node-RED gets a key for it in DASHSCOPE_API_KEY: an
 * example imported through Menu → Import → Examples runs as soon as it is deployed. With a real
 * DASHSCOPE_API_KEY the demo flow talks to the real service; imported examples still use the
 * simulator until their session is switched to International or Mainland China.
 *
 * Options (for tests and tinkering): --user-dir DIR (default .userdir/), --no-build.
 * Environment: PORT (editor, 1880), SIM_PORT (simulator, 8765), DASHSCOPE_API_KEY, DASHSCOPE_REGION.
 */
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const userDirArg = args.indexOf('--user-dir');
const userDir = userDirArg >= 0 ? path.resolve(args[userDirArg + 1]) : path.join(root, '.userdir');
const port = Number(process.env.PORT || 1880);
const simPort = Number(process.env.SIM_PORT || 8765);
const apiKey = process.env.DASHSCOPE_API_KEY || '';
const region = process.env.DASHSCOPE_REGION || 'intl';
const pkg = require(path.join(root, 'package.json'));
// The version matrix (scripts/version-matrix.ts) runs the same start on another Node-RED, another
// Node.js and the package installed from its tarball; by default: the devDependency, this Node.js, this tree.
const underTest = {
  redJs: process.env.LIVETRANSLATE_NODE_RED ? path.join(process.env.LIVETRANSLATE_NODE_RED, 'red.js') : require.resolve('node-red/red.js'),
  node: process.env.LIVETRANSLATE_NODE || process.execPath,
  packageDir: process.env.LIVETRANSLATE_INSTALLED ? path.join(process.env.LIVETRANSLATE_INSTALLED, 'node_modules', pkg.name) : root,
};
/** What the sessions send the simulator without a real key (the simulator takes any non-empty key). */
const SIMULATOR_KEY = 'local-simulator-key';

function log(line) {
  process.stdout.write(`[start] ${line}\n`);
}

function build() {
  log('building (tsc)…');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });
}

/** Node-RED's settings: loopback only, no first-visit dialogs (tours, telemetry and update check). */
function settings() {
  return `module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${port},
  flowFile: 'flows.json',
  credentialSecret: false,
  fileWorkingDirectory: ${JSON.stringify(userDir)},
  editorTheme: { tours: false, projects: { enabled: false } },
  telemetry: { enabled: false, updateNotification: false },
  diagnostics: { enabled: false },
  logging: { console: { level: 'info', metrics: false, audit: false } },
};
`;
}

/** The user dir Node-RED runs in: settings, the example flow, and this package linked in. */
function prepareUserDir(sessionPatch) {
  fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  const link = path.join(userDir, 'node_modules', pkg.name);
  try { fs.rmSync(link, { recursive: true, force: true }); } catch { /* not there */ }
  fs.symlinkSync(underTest.packageDir, link, 'dir');
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'livetranslate-demo', private: true, dependencies: { [pkg.name]: '*' } }, null, 2));
  fs.writeFileSync(path.join(userDir, 'settings.js'), settings());
  const flow = JSON.parse(fs.readFileSync(path.join(root, 'examples', 'translate-a-recording.json'), 'utf8'));
  for (const n of flow) {
    if (n.type === 'livetranslate-session') Object.assign(n, sessionPatch);
    if (n.type === 'file in') n.filename = path.join(root, 'examples', 'announcement.wav');
  }
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow, null, 2));
  // The key stays in the environment: nothing in the flow files.
  fs.writeFileSync(path.join(userDir, 'flows_cred.json'), '{}\n');
}

async function startSimulator() {
  const { Simulator, loadScripts } = require(path.join(root, 'nodes', 'simulator'));
  // What the simulator answers for the examples' recordings (the mask example's answers depend on the picture).
  const { script, scenes } = loadScripts([
    path.join(root, 'examples', 'announcement.script'),
    path.join(root, 'examples', 'what-is-mask.script'),
  ]);
  const create = (p) => {
    const sim = new Simulator({ port: p, host: '127.0.0.1', script, scenes });
    // a long-running simulator must not keep every finished session's audio
    sim.on('close', (rec) => {
      const i = sim.sessions.indexOf(rec);
      if (i >= 0) sim.sessions.splice(i, 1);
    });
    return sim;
  };
  const sim = create(simPort);
  try {
    return { sim, url: await sim.start() };
  } catch (e) {
    if (e && e.code === 'EADDRINUSE') {
      log(`port ${simPort} is busy; the simulator takes a free one (imported examples expect ${simPort})`);
      const other = create(0);
      return { sim: other, url: await other.start() };
    }
    throw e;
  }
}

async function main() {
  if (!args.includes('--no-build')) build();
  const { sim, url } = await startSimulator();
  let sessionPatch;
  if (apiKey) {
    log(`DASHSCOPE_API_KEY is set: the demo flow translates with the real service (region ${region}).`);
    log(`The local simulator runs too, at ${url}, for the imported examples.`);
    sessionPatch = { endpoint: region === 'cn' ? 'cn' : 'intl' };
  } else {
    log(`No DASHSCOPE_API_KEY: replies come from the local SIMULATOR at ${url}`);
    log('They are simulated (scripted text and synthetic speech), not real translations of arbitrary speech.');
    log('To use the real service: DASHSCOPE_API_KEY=sk-... npm start   (DASHSCOPE_REGION=cn for mainland China)');
    sessionPatch = { endpoint: 'custom', url };
  }
  prepareUserDir(sessionPatch);

  const red = spawn(underTest.node, [underTest.redJs, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
    cwd: userDir,
    env: { ...process.env, DASHSCOPE_API_KEY: apiKey || SIMULATOR_KEY },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let announced = false;
  red.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    // "Started flows" comes again on every deploy: say where the editor is once.
    if (!announced && /Started flows/.test(chunk.toString())) {
      announced = true;
      log(`Node-RED editor: http://127.0.0.1:${port}/  (the example flow "Translate a recording" runs in a few seconds; see the debug sidebar)`);
    }
  });
  // Stopping the launcher stops Node-RED (politely, then firmly) and the simulator with it.
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    red.kill('SIGINT');
    setTimeout(() => red.kill('SIGKILL'), 5000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  red.on('exit', (code) => {
    log(`Node-RED exited (${code === null ? 'stopped' : code})`);
    Promise.resolve(sim.stop()).then(() => process.exit(stopping ? 0 : code || 0));
  });
}

main().catch((e) => {
  process.stderr.write(`[start] ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
