/**
 * The API key never leaves the credentials. Two parts:
 *
 * 1. Suite-wide (root hooks, so they cover every test file of the run): every API key any test
 *    configures (credentials given to the Node-RED test helper, DASHSCOPE_API_KEY) is remembered,
 *    and every log line (RED.log), status, debug message (the editor's comms channel) and
 *    node.send/warn/error produced during the whole run is recorded. After the run, none of them
 *    may contain any of those keys.
 * 2. A flow driven through the paths where a key could slip out: connect, translate, debug nodes
 *    printing whole messages, a service that echoes the key in errors and bad frames, refusals,
 *    reconnections, bad settings, bad input, the environment variable — then the exported flows
 *    and credentials API are read, and nothing holds the key.
 */
import assert from 'node:assert/strict';
import { isLoopbackHost } from '../src/protocol';
import { Simulator } from '../src/simulator';
import { recordFigures } from './support/figures';
import { ALL_NODES, helper, loadFlow, sessionConfig, waitFor } from './support/red';
import { tone } from './support/sim-audio';

 
const RED_EVENTS = require('@node-red/util').events as { on(e: string, f: (x: unknown) => void): void; off(e: string, f: (x: unknown) => void): void };

/** Everything the runtime and the nodes said during the run, as text. */
const said: string[] = [];
/** Every key configured during the run. */
const keys = new Set<string>();
const counts = { log: 0, status: 0, comms: 0, send: 0 };

function record(kind: keyof typeof counts, value: unknown): void {
  counts[kind]++;
  try {
    said.push(JSON.stringify(value, (_k, v) => {
      if (Buffer.isBuffer(v)) return v.length < 4096 ? v.toString('latin1') : `<${v.length} bytes>`;
      if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) return '<buffer>';
      return typeof v === 'bigint' ? String(v) : v;
    }) || '');
  } catch {
    said.push(String(value));
  }
}

const onComms = (e: unknown) => record('comms', e);
const onStatus = (e: unknown) => record('status', e);
let restore: Array<() => void> = [];

// Root hooks: installed once for the whole mocha run, whatever the file order.
before(function () {
  const h = helper as unknown as {
    load: (...a: unknown[]) => unknown;
    _log: { log: (m: unknown) => void };
    _NodePrototype: Record<string, (...a: unknown[]) => unknown>;
  };
  const load = h.load;
  h.load = function (this: unknown, nodes: unknown, flow: unknown, creds: unknown, cb?: unknown) {
    if (creds && typeof creds === 'object') {
      for (const c of Object.values(creds as Record<string, Record<string, unknown>>)) {
        if (c && typeof c.apiKey === 'string' && c.apiKey.length >= 4) keys.add(c.apiKey);
      }
    }
    return load.call(this, nodes, flow, creds, cb);
  };
  restore.push(() => { h.load = load; });
  const log = h._log.log;
  h._log.log = function (this: unknown, m: unknown) {
    record('log', m);
    return log.call(this, m);
  };
  restore.push(() => { h._log.log = log; });
  const proto = h._NodePrototype;
  for (const name of ['send', 'status'] as const) {
    const original = proto[name];
    proto[name] = function (this: unknown, ...args: unknown[]) {
      record(name, args[0]);
      return original.apply(this, args);
    };
    restore.push(() => { proto[name] = original; });
  }
  RED_EVENTS.on('comms', onComms);
  RED_EVENTS.on('node-status', onStatus);
});

after(function () {
  RED_EVENTS.off('comms', onComms);
  RED_EVENTS.off('node-status', onStatus);
  for (const r of restore.reverse()) r();
  restore = [];
  if (process.env.DASHSCOPE_API_KEY) keys.add(process.env.DASHSCOPE_API_KEY);
  const text = said.join('\n');
  recordFigures(this.test, { keys: keys.size, logLines: counts.log, statuses: counts.status, editorMessages: counts.comms, sentMessages: counts.send });
  for (const key of keys) {
    const at = text.indexOf(key);
    assert.equal(at, -1, `a configured API key appeared in the run's output: …${text.slice(Math.max(0, at - 120), at)}<KEY>…`);
  }
});

/** The deployed flows as the runtime holds them for export and storage (credentials are kept apart). */
function exportedFlows(): string {
  const nodes = (helper as unknown as { _redNodes: { getFlows(): unknown } })._redNodes;
  return JSON.stringify(nodes.getFlows());
}

const KEY = 'sk-secret-7e3b1f9a2c4d6e8f0a1b';
const ENV_KEY = 'sk-env-4a2f8c6e0b1d3f5a7c9e';

describe('secrets: the API key stays in the credentials', function () {
  this.timeout(30000);
  let sim: Simulator;

  beforeEach(async function () {
    sim = new Simulator({ realtime: false });
    await sim.start();
  });

  afterEach(async function () {
    await helper.unload();
    await sim.stop();
    delete process.env.DASHSCOPE_API_KEY;
  });

  function flow(extraSessions: object[] = []) {
    return [
      { id: 'sec', type: 'tab', label: 'secrets' },
      sessionConfig({ id: 'sess1', url: `${sim.url}?client=a`, backoffInitialMs: 20, backoffMaxMs: 100, connectTimeoutMs: 2000, keepAliveMs: 1000 }),
      ...extraSessions,
      { id: 'in1', z: 'sec', type: 'livetranslate-audio-in', session: 'sess1', pacing: 'fast', gate: 'off', wires: [] },
      { id: 'img1', z: 'sec', type: 'livetranslate-image-in', session: 'sess1', wires: [] },
      { id: 'out1', z: 'sec', type: 'livetranslate-translation-out', session: 'sess1', wires: [['dbg'], ['dbg'], [], ['dbg', 'events']] },
      { id: 'dbg', z: 'sec', type: 'debug', active: true, tosidebar: true, console: true, tostatus: true, complete: 'true', targetType: 'full', statusVal: 'payload', statusType: 'auto' },
      { id: 'events', z: 'sec', type: 'helper' },
    ];
  }

  it('a key echoed by the service, refusals, reconnections and bad input: nothing shows the key; nor do exported flows', async function () {
    const before = said.length;
    await loadFlow(flow(), { sess1: { apiKey: KEY } }, [...ALL_NODES, require('@node-red/nodes/core/common/21-debug.js')]);  
    assert.ok(keys.has(KEY), 'the root hook saw the configured key');
    await waitFor(() => sim.liveSessions().length === 1 && sim.sessions[0].eventsSent.includes('session.updated'), 5000, 'connected');
    const events: Array<{ topic: string }> = [];
    helper.getNode('events').on('input', (m: { topic: string }) => events.push(m));

    // Speech in, translation out, all printed whole by a debug node.
    const speech = Buffer.concat([tone(1, 300, -12), Buffer.alloc(32000)]);
    for (let off = 0; off < speech.length; off += 3200) helper.getNode('in1').receive({ payload: speech.subarray(off, off + 3200) });
    await waitFor(() => sim.sessions[0].eventsSent.includes('response.done'), 5000, 'a translation');

    // A service that repeats the key: in an error, in a bad frame, in an unknown event, in a close reason.
    const id = sim.sessions[0].id;
    sim.inject({ type: 'error', error: { type: 'invalid_request_error', code: 'InvalidApiKey', message: `Invalid API-key provided: ${KEY}`, param: `Bearer ${KEY}` } }, id);
    sim.inject(`{"type":"error","error":"${KEY}"`, id);
    sim.inject({ type: 'response.new_kind', echo: KEY, auth: `Authorization: Bearer ${KEY}` }, id);
    await waitFor(() => events.some((e) => e.topic === 'response.new_kind'), 3000, 'unknown event out').catch((e: Error) => { throw new Error(e.message + ' ' + JSON.stringify(events.map((x) => [x.topic, (x as unknown as { payload: unknown }).payload]))); });
    sim.closeWith(4001, `bad key ${KEY.slice(0, 20)}`, id);
    await waitFor(() => sim.sessions.length === 2 && sim.liveSessions().length === 1, 5000, 'reconnected');

    // Refused on reconnect (401 then 403): red status, a catchable error, the key nowhere.
    sim.armUpgrade({ kind: 'refuse', status: 401 });
    sim.drop();
    const rt = (helper.getNode('sess1') as unknown as { realtime: { state: string } }).realtime;
    await waitFor(() => rt.state === 'failed', 5000, 'failed on 401');
    helper.getNode('in1').receive({ payload: Buffer.alloc(3200) });
    helper.getNode('in1').receive({ action: 'connect' });
    await waitFor(() => rt.state === 'open', 5000, 'reconnected on request');

    // Bad input and a bad update, each a caught error that must not quote the key.
    helper.getNode('in1').receive({ payload: { apiKey: 'not-a-key' } });
    helper.getNode('img1').receive({ payload: Buffer.from('not an image') });
    helper.getNode('in1').receive({ action: 'update', payload: { targetLanguage: 'klingon' } });
    helper.getNode('in1').receive({ action: 'explode' });
    await new Promise((r) => setTimeout(r, 300));

    // The flows as the runtime exports and stores them: the key is not there (it lives in the credentials).
    const flowsText = exportedFlows();
    assert.match(flowsText, /livetranslate-session/);
    assert.ok(!flowsText.includes(KEY), 'exported flows hold the key');
    const node = helper.getNode('sess1') as unknown as { credentials: { apiKey?: string } };
    assert.equal(node.credentials.apiKey, KEY, 'the key is in the credentials, where it belongs');

    const run = said.slice(before).join('\n');
    assert.ok(counts.log > 5 && counts.status > 5 && counts.comms > 5 && counts.send > 5, JSON.stringify(counts));
    assert.match(run, /refused the API key \(HTTP 401\)/, 'the refusal was logged');
    assert.match(run, /\*\*\*/, 'the echoed key was masked');
    assert.ok(!run.includes(KEY), 'the key appeared in a log, status, debug message or msg');
  });

  it('a key echoed with JSON escapes (in an error, a translation, an unknown event, a bad frame) is masked everywhere', async function () {
    const before = said.length;
    await loadFlow(flow(), { sess1: { apiKey: KEY } }, [...ALL_NODES, require('@node-red/nodes/core/common/21-debug.js')]);
    await waitFor(() => sim.liveSessions().length === 1 && sim.sessions[0].eventsSent.includes('session.updated'), 5000, 'connected');
    const events: Array<{ topic: string; payload: unknown; event?: unknown }> = [];
    const out: unknown[] = [];
    helper.getNode('events').on('input', (m: { topic: string; payload: unknown }) => events.push(m));
    helper.getNode('dbg').on('input', (m: unknown) => out.push(m));
    // The key with one letter written as a JSON escape: the same string once parsed.
    const escaped = `\\u${KEY.charCodeAt(0).toString(16).padStart(4, '0')}${KEY.slice(1)}`;
    const id = sim.sessions[0].id;
    sim.inject(`{"type":"error","error":{"type":"invalid_request_error","code":"InvalidApiKey","message":"Invalid API-key provided: ${escaped}"}}`, id);
    sim.inject(`{"type":"response.text.text","response_id":"resp_k","item_id":"item_k","output_index":0,"content_index":0,"text":"your key is ${escaped}","stash":""}`, id);
    sim.inject(`{"type":"response.text.done","response_id":"resp_k","item_id":"item_k","output_index":0,"content_index":0,"text":"your key is ${escaped}"}`, id);
    sim.inject(`{"type":"response.echo_${escaped}","echo":"${escaped}","${escaped}":1}`, id);
    sim.inject(`{"type":"error","error": ${escaped}`, id);
    await waitFor(() => events.some((e) => e.topic === 'error') && events.some((e) => /^response\.echo_/.test(e.topic)) && out.length >= 2, 3000, 'the echoes went out');
    await new Promise((r) => setTimeout(r, 1200)); // the coalesced warnings
    const run = said.slice(before).join('\n') + JSON.stringify(events) + JSON.stringify(out);
    assert.match(run, /your key is \*\*\*/, 'the translation went out, masked');
    assert.match(run, /Invalid API-key provided: \*\*\*/, 'the error went out, masked');
    assert.ok(!run.includes(KEY.slice(1)), `the key (decoded or escaped) appeared: ${run.slice(Math.max(0, run.indexOf(KEY.slice(1)) - 200), run.indexOf(KEY.slice(1)) + 40)}`);
  });

  it('plain ws:// only to literal loopback: a host named 127.something is refused, the key never sent', async function () {
    const port = new URL(sim.url).port;
    let upgrades = 0;
    sim.on('session', () => { upgrades++; });
    await loadFlow([
      sessionConfig({ id: 'evil', url: `ws://127.attacker.example:${port}/api-ws/v1/realtime` }),
      { id: 'in9', type: 'livetranslate-audio-in', session: 'evil', wires: [] },
      { id: 'out9', type: 'livetranslate-translation-out', session: 'evil', wires: [[], [], [], ['ev9']] },
      { id: 'ev9', type: 'helper' },
    ], { evil: { apiKey: KEY } });
    const rt = (helper.getNode('evil') as unknown as { realtime: { state: string; stats: { connects: number } } }).realtime;
    await waitFor(() => rt.state === 'failed', 3000, 'refused');
    assert.equal(rt.stats.connects, 0, 'no connection attempted');
    assert.equal(upgrades, 0);
    for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1']) assert.equal(isLoopbackHost(h), true, h);
    for (const h of ['127.attacker.example', '127.0.0.1.nip.io', '127.0.0.256', 'localhost.example', 'x.localhost', '128.0.0.1', '10.0.0.1']) assert.equal(isLoopbackHost(h), false, h);
  });

  it('a key from the environment, bad settings and an insecure URL: the key shows nowhere', async function () {
    process.env.DASHSCOPE_API_KEY = ENV_KEY;
    keys.add(ENV_KEY);
    const before = said.length;
    const extra = [
      sessionConfig({ id: 'sess2', url: 'ws://example.com/api-ws/v1/realtime' }),
      sessionConfig({ id: 'sess3', url: sim.url, targetLanguage: 'ar', output: 'text+audio' }),
    ];
    const f = flow(extra).concat([
      { id: 'in2', z: 'sec', type: 'livetranslate-audio-in', session: 'sess2', pacing: 'fast', wires: [] },
      { id: 'in3', z: 'sec', type: 'livetranslate-audio-in', session: 'sess3', pacing: 'fast', wires: [] },
    ]);
    await loadFlow(f, {}, [...ALL_NODES, require('@node-red/nodes/core/common/21-debug.js')]);  
    await waitFor(() => sim.liveSessions().length === 1, 5000, 'connected with the environment key');
    for (const n of ['in1', 'in2', 'in3']) helper.getNode(n).receive({ payload: Buffer.alloc(3200) });
    sim.inject({ type: 'error', error: { type: 'x', code: 'y', message: ENV_KEY } });
    await new Promise((r) => setTimeout(r, 300));
    const run = said.slice(before).join('\n') + exportedFlows();
    assert.match(run, /refusing plain ws:\/\/ to example\.com/);
    assert.match(run, /Audio output is not available/);
    assert.ok(!run.includes(ENV_KEY), 'the environment key appeared');
  });
});
