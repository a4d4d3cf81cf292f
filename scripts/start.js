#!/usr/bin/env node
/**
 * `npm start`: builds the package, starts the local simulator when no DASHSCOPE_API_KEY is set,
 * and starts Node-RED with this package and the example flow in a local user dir (.userdir/).
 */
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const userDir = path.join(root, '.userdir');
const port = Number(process.env.PORT || 1880);
const simPort = Number(process.env.SIM_PORT || 8765);
const apiKey = process.env.DASHSCOPE_API_KEY || '';
const region = process.env.DASHSCOPE_REGION || 'intl';
const pkg = require(path.join(root, 'package.json'));
/** The key the local simulator accepts (it is not a secret: it opens nothing but the simulator). */
const SIMULATOR_KEY = 'local-simulator-key';

function log(line) {
  process.stdout.write(`[start] ${line}\n`);
}

function build() {
  log('building (tsc)…');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });
}

/** The user dir Node-RED runs in: settings, the example flow, and this package linked in. */
function prepareUserDir(sessionPatch, simulatorKey) {
  fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  const link = path.join(userDir, 'node_modules', pkg.name);
  try { fs.rmSync(link, { recursive: true, force: true }); } catch { /* not there */ }
  fs.symlinkSync(root, link, 'dir');
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'livetranslate-demo', private: true, dependencies: { [pkg.name]: '*' } }, null, 2));
  fs.writeFileSync(path.join(userDir, 'settings.js'), `module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${port},
  flowFile: 'flows.json',
  credentialSecret: false,
  fileWorkingDirectory: ${JSON.stringify(userDir)},
  editorTheme: { tours: false, projects: { enabled: false } },
  logging: { console: { level: 'info', metrics: false, audit: false } },
};
`);
  const flow = JSON.parse(fs.readFileSync(path.join(root, 'examples', 'translate-a-recording.json'), 'utf8'));
  for (const n of flow) {
    if (n.type === 'livetranslate-session') Object.assign(n, sessionPatch);
    if (n.type === 'file in') n.filename = path.join(root, 'examples', 'audio', 'announcement.wav');
  }
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow, null, 2));
  // The simulator wants a key like the service does; a real key stays in the environment only.
  const creds = {};
  if (simulatorKey) for (const n of flow) if (n.type === 'livetranslate-session') creds[n.id] = { apiKey: simulatorKey };
  fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(creds, null, 2));
}

async function startSimulator() {
  const { Simulator, loadScript } = require(path.join(root, 'nodes', 'simulator'));
  const script = loadScript(path.join(root, 'examples', 'audio', 'announcement.script.json'));
  const sim = new Simulator({ port: simPort, host: '127.0.0.1', script, apiKey: SIMULATOR_KEY });
  try {
    return { sim, url: await sim.start() };
  } catch (e) {
    if (e && e.code === 'EADDRINUSE') {
      log(`port ${simPort} is busy; the simulator takes a free one`);
      const other = new Simulator({ port: 0, host: '127.0.0.1', script, apiKey: SIMULATOR_KEY });
      return { sim: other, url: await other.start() };
    }
    throw e;
  }
}

async function main() {
  build();
  let sim;
  let sessionPatch;
  if (apiKey) {
    log(`DASHSCOPE_API_KEY is set: translating with the real service (region ${region}).`);
    sessionPatch = { endpoint: region === 'cn' ? 'cn' : 'intl' };
  } else {
    const started = await startSimulator();
    sim = started.sim;
    log(`No DASHSCOPE_API_KEY: replies come from the local SIMULATOR at ${started.url}`);
    log('They are simulated (scripted text and synthetic speech), not real translations of arbitrary speech.');
    log('To use the real service: DASHSCOPE_API_KEY=sk-... npm start   (DASHSCOPE_REGION=cn for mainland China)');
    sessionPatch = { endpoint: 'custom', url: started.url };
  }
  prepareUserDir(sessionPatch, apiKey ? '' : SIMULATOR_KEY);

  const red = spawn(process.execPath, [require.resolve('node-red/red.js'), '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
    cwd: userDir,
    env: { ...process.env, DASHSCOPE_API_KEY: apiKey },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  red.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (/Started flows/.test(chunk.toString())) {
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
    Promise.resolve(sim && sim.stop()).then(() => process.exit(stopping ? 0 : code || 0));
  });
}

main().catch((e) => {
  process.stderr.write(`[start] ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
