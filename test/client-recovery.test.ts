/**
 * RealtimeSession recovering by itself from each kind of fault the simulator injects, over real
 * sockets: stalls, silent and hanging servers, refusals, oversized frames, service errors, idle
 * close, session rotation; and the exact accounting of audio while the socket is down.
 */
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  Backoff, RealtimeSession, type ConnectionRecord, type DropReport, type SessionState, type StateReason,
} from '../src/client';
import { toWireConfig, DEFAULT_OPTIONS, type ServerEvent } from '../src/protocol';
import { Simulator, type SimFaults } from '../src/simulator';
import { recordFigures } from './support/figures';
import { waitFor } from './support/red';

const KEY = 'sk-recovery-0123456789abcdef';
const FRAME = Buffer.alloc(3200, 1);

function make(url: string, extra: Partial<ConstructorParameters<typeof RealtimeSession>[0]> = {}) {
  const s = new RealtimeSession({
    endpoint: url, apiKey: KEY,
    config: toWireConfig({ ...DEFAULT_OPTIONS, targetLanguage: 'ja' }),
    backoff: { initialMs: 20, maxMs: 200, stableMs: 5000 },
    connectTimeoutMs: 400, keepAliveMs: 100, finishTimeoutMs: 1000, ...extra,
  });
  const states: Array<[SessionState, StateReason | undefined]> = [];
  const events: ServerEvent[] = [];
  const problems: string[] = [];
  const drops: DropReport[] = [];
  const connections: ConnectionRecord[] = [];
  s.on('state', (st, r) => states.push([st, r]));
  s.on('event', (e) => events.push(e));
  s.on('problem', (m) => problems.push(m));
  s.on('dropped', (d) => drops.push(d));
  s.on('connection', (c) => connections.push(c));
  return { s, states, events, problems, drops, connections };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RealtimeSession: recovery from faults', function () {
  let sim: Simulator;
  let url: string;
  const faults: SimFaults = {};
  const open: RealtimeSession[] = [];

  beforeEach(async function () {
    for (const k of Object.keys(faults) as (keyof SimFaults)[]) delete faults[k];
    sim = new Simulator({ realtime: false, apiKey: KEY, faults });
    url = await sim.start();
  });

  afterEach(async function () {
    for (const s of open.splice(0)) s.dispose();
    await sim.stop();
  });

  function session(extra: Partial<ConstructorParameters<typeof RealtimeSession>[0]> = {}) {
    const h = make(url, extra);
    open.push(h.s);
    return h;
  }

  it('a server that accepts and never answers: connect timeout, then a new session', async function () {
    sim.armUpgrade({ kind: 'silent' });
    const { s, states } = session();
    s.connect();
    await waitFor(() => s.state === 'open', 3000, 'open after the silent one');
    assert.equal(sim.sessions.length, 2);
    assert.equal(sim.sessions[0].eventsSent.length, 0, 'the first said nothing');
    assert.ok(states.some(([st, r]) => st === 'closed' && r && /timed out waiting/.test(r.message)), 'the state says why');
  });

  it('an upgrade left hanging: handshake timeout, then a new session', async function () {
    sim.armUpgrade({ kind: 'hang' });
    const { s } = session();
    const t0 = Date.now();
    s.connect();
    await waitFor(() => s.state === 'open', 3000, 'open after the hang');
    assert.ok(Date.now() - t0 >= 350, 'waited for the handshake timeout');
    assert.equal(sim.sessions.length, 1);
  });

  it('HTTP 503 on upgrade: retried with backoff; 403: failed, no retry until asked', async function () {
    sim.armUpgrade({ kind: 'refuse', status: 503 });
    sim.armUpgrade({ kind: 'refuse', status: 503 });
    const { s, states } = session();
    s.connect();
    await waitFor(() => s.state === 'open', 3000, 'open after two 503');
    assert.equal(sim.refusals[503], 2);
    assert.ok(states.some(([st, r]) => st === 'closed' && r && r.code === 503 && r.retry));

    faults.refuseAuth = 403;
    sim.drop();
    await waitFor(() => s.state === 'failed', 3000, 'failed on 403');
    const reason = states[states.length - 1][1]!;
    assert.equal(reason.code, 403);
    assert.equal(reason.retry, false);
    await sleep(500);
    assert.equal(sim.refusals[403], 1, 'no retry storm on 403');
    assert.equal(s.state, 'failed');
    faults.refuseAuth = false;
    s.connect(); // msg.action "connect"
    await waitFor(() => s.state === 'open', 3000, 'open when asked');
  });

  it('a stalled connection is found by the watchdog and replaced; the configuration is re-sent', async function () {
    const { s, states } = session();
    s.connect();
    await waitFor(() => s.state === 'open', 3000, 'open');
    s.update({ translation: { language: 'de' } });
    await waitFor(() => sim.sessions[0].config.translation?.language === 'de', 3000, 'update');
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    // Timed by the state event itself: with a 10–20 ms first retry, the session can be open again
    // before a poll would see it closed.
    let leftOpenAt = 0;
    s.once('state', () => { leftOpenAt = Date.now(); });
    sim.stall();
    const t0 = Date.now();
    await waitFor(() => leftOpenAt > 0, 3000, 'stall noticed');
    const noticed = leftOpenAt - t0;
    lag.disable();
    // Two keep-alive periods of silence (100 ms each), checked every period: 200–300 ms, plus
    // what the event loop lagged on a loaded machine (the waitFor polls every 20 ms).
    const bound = 300 + 20 + 2 * (lag.max / 1e6);
    assert.ok(noticed >= 150 && noticed <= bound, `noticed after ${noticed} ms (bound ${Math.round(bound)} ms)`);
    assert.ok(states.some(([st, r]) => st === 'closed' && r && /no traffic/.test(r.message)), 'the state says why');
    await waitFor(() => s.state === 'open' && sim.sessions.length === 2, 3000, 'reopened');
    assert.equal(sim.sessions[1].config.translation?.language, 'de', 'the updated configuration is re-sent');
  });

  it('a frame over the size limit ends the connection (1009) and a new one opens', async function () {
    const { s, states } = session({ maxFrameBytes: 64 * 1024 });
    s.connect();
    await waitFor(() => s.state === 'open', 3000, 'open');
    sim.injectOversized(200 * 1024);
    await waitFor(() => states.some(([st, r]) => st === 'closed' && r && r.code === 1009), 3000, '1009');
    await waitFor(() => s.state === 'open' && sim.sessions.length === 2, 3000, 'reopened');
  });

  it('malformed JSON, binary frames, unknown events and service errors are reported, the session stays open', async function () {
    const { s, problems, events } = session();
    const unknown: string[] = [];
    s.on('unknown', (t) => unknown.push(t));
    s.connect();
    await waitFor(() => s.state === 'open', 3000, 'open');
    sim.inject('{"type":"error", broken');
    sim.inject('[1,2,3]');
    sim.injectBinary(Buffer.from([0, 1, 2, 255]));
    sim.inject({ type: 'response.brand_new_thing', x: 1 });
    sim.injectError('rate_limit');
    sim.injectError('quota');
    sim.injectError('internal');
    await waitFor(() => events.filter((e) => e.type === 'error').length === 3, 3000, 'errors');
    assert.equal(s.state, 'open');
    // Two bad frames in a row: the second is said in the summary that ends the first's window.
    await waitFor(() => problems.some((p) => /not a JSON object \(1 more like it in 1 s\)/.test(p)), 3000, 'the coalesced bad frame');
    assert.ok(problems.some((p) => /malformed JSON/.test(p)));
    assert.ok(problems.some((p) => /not a JSON object/.test(p)));
    assert.ok(problems.some((p) => /binary frame/.test(p)));
    assert.ok(problems.some((p) => /rate limit/.test(p)));
    assert.deepEqual(unknown, ['response.brand_new_thing']);
    assert.equal(sim.sessions.length, 1);
  });

  it('a rate-limit error while connecting is retried, not taken for a bad configuration', async function () {
    const { s, states } = session();
    // The error arrives before session.updated: inject it the moment the session is created.
    sim.once('session', (rec) => setImmediate(() => sim.injectError('rate_limit', rec.id)));
    faults.delayMs = 0;
    s.connect();
    await waitFor(() => s.state === 'open', 3000, 'open');
    assert.ok(!states.some(([st]) => st === 'failed'));
  });

  it('the service idle close: closed quietly, a new session opens with the next audio', async function () {
    const { s, states } = session();
    s.connect();
    await waitFor(() => s.state === 'open', 3000, 'open');
    sim.injectError('idle_timeout');
    await waitFor(() => s.state === 'closed', 3000, 'closed');
    assert.match(states[states.length - 1][1]!.message, /inactivity/);
    await sleep(300);
    assert.equal(s.state, 'closed', 'no reconnect without input');
    assert.equal(sim.sessions.length, 1);
    s.appendAudio(FRAME);
    await waitFor(() => sim.sessions.length === 2 && sim.sessions[1].audioBytesReceived === FRAME.length, 3000, 'new session with the audio');
  });

  it('rotates before the maximum session length without losing audio', async function () {
    const { s, connections } = session({ maxSessionMs: 300 });
    let sent = 0;
    const pump = setInterval(() => { s.appendAudio(FRAME); sent++; }, 10);
    try {
      await waitFor(() => s.stats.rotations >= 2, 5000, 'two rotations');
    } finally {
      clearInterval(pump);
    }
    await waitFor(() => s.state === 'open', 3000, 'open');
    await s.finish();
    const received = sim.sessions.reduce((n, r) => n + r.audioAppends, 0);
    assert.equal(s.stats.audioFramesAppended, sent);
    assert.equal(s.stats.audioFramesDropped, 0);
    assert.equal(received, sent, 'every frame reached a session');
    assert.ok(sim.sessions.length >= 3);
    assert.ok(sim.sessions.slice(0, -1).every((r) => r.finished), 'each rotated session was finished, not cut');
    assert.ok(connections.every((c) => c.finished));
  });

  it('while the socket is down audio is kept up to the bound; what the bound drops is counted exactly', async function () {
    const { s, drops } = session({ maxQueuedAudioBytes: 10 * 3200 });
    s.connect();
    await waitFor(() => s.state === 'open', 3000, 'open');
    faults.refuseUpgrade = 503;
    sim.drop();
    await waitFor(() => s.state === 'closed', 3000, 'down');
    for (let i = 0; i < 25; i++) s.appendAudio(FRAME);
    assert.equal(s.queuedAudioFrames, 10);
    assert.equal(s.stats.audioFramesDropped, 15);
    assert.equal(s.stats.audioBytesDropped, 15 * 3200);
    assert.equal(drops.reduce((n, d) => n + d.audioFrames, 0), 15);
    faults.refuseUpgrade = undefined;
    await waitFor(() => s.state === 'open', 3000, 'back');
    await waitFor(() => sim.sessions[1] && sim.sessions[1].audioAppends === 10, 3000, 'queued audio delivered');
    assert.equal(s.queuedAudioFrames, 0);
  });

  it('frames handed over = received + dropped + lost in flight, across repeated cuts mid-stream', async function () {
    const { s, connections } = session({ maxQueuedAudioBytes: 20 * 3200 });
    s.connect();
    await waitFor(() => s.state === 'open', 3000, 'open');
    const receivedNow = () => sim.sessions.reduce((n, r) => n + r.audioAppends, 0);
    for (let round = 0; round < 5; round++) {
      const [before, conns] = [receivedNow(), connections.length];
      for (let i = 0; i < 40; i++) s.appendAudio(FRAME);
      // Mid-stream: the cut comes once the service has some of these frames, the rest may still be on their way...
      await waitFor(() => receivedNow() > before, 3000, `frames arriving #${round}`);
      sim.drop();
      // ...and these are written before the client can know of it (same tick): failed or lost in flight.
      for (let i = 0; i < 30; i++) s.appendAudio(FRAME);
      await waitFor(() => connections.length > conns && s.state === 'open', 3000, `a new connection #${round}`);
    }
    await s.finish();
    await sleep(50);
    const st = s.stats;
    const received = receivedNow();
    assert.ok(connections.length >= 6, `${connections.length} connections: the first and one after each of the 5 cuts`);
    assert.ok(received >= 5 && received <= 5 * 40, `${received} frames received: some of each round's first 40, none written after a cut`);
    assert.equal(st.audioFramesAppended, 5 * 70);
    assert.equal(st.audioFramesAppended, st.audioFramesSent + st.audioFramesDropped + s.queuedAudioFrames);
    const lost = st.audioFramesSent - received;
    recordFigures(this.test, {
      connections: connections.length, framesHandedOver: st.audioFramesAppended, framesReceived: received, framesDropped: st.audioFramesDropped,
      framesFailed: st.audioFramesFailed, framesLostInFlight: lost - st.audioFramesFailed, framesUnconfirmed: st.audioFramesUnconfirmed,
    });
    assert.ok(lost >= 0 && lost <= st.audioFramesUnconfirmed + st.audioFramesFailed, `lost ${lost}, unconfirmed ${st.audioFramesUnconfirmed}, failed ${st.audioFramesFailed}`);
    assert.ok(lost >= 5 * 30, `${lost} frames written but not received (failed or in flight): at least the 30 after each cut`);
    for (const c of connections) {
      const rec = sim.sessions.find((r) => r.id === c.sessionId);
      if (!rec) { assert.equal(c.audioFramesWritten, 0); continue; }
      assert.ok(rec.audioAppends <= c.audioFramesWritten - c.audioFramesFailed, 'never more received than written');
      if (c.finished) assert.equal(rec.audioAppends, c.audioFramesWritten, 'a finished connection lost nothing');
    }
  });

  it('a key echoed by the service is masked before it reaches listeners', async function () {
    const { s, events, problems } = session();
    s.connect();
    await waitFor(() => s.state === 'open', 3000, 'open');
    sim.inject({ type: 'error', error: { type: 'invalid_request_error', code: 'x', message: `bad key ${KEY} (Bearer ${KEY})` } });
    sim.inject(`not json ${KEY}`);
    await waitFor(() => events.some((e) => e.type === 'error') && problems.length >= 2, 3000, 'error');
    const all = JSON.stringify(events) + problems.join('\n');
    assert.ok(!all.includes(KEY));
    assert.match(all, /\*\*\*/);
  });
});

describe('Backoff', function () {
  it('stays within [ceiling/2, ceiling], doubles to the bound, and resets after a stable period', function () {
    let r = 0;
    const b = new Backoff({ initialMs: 100, maxMs: 1000, stableMs: 5000, random: () => r });
    const lows = [100, 200, 400, 800, 1000, 1000].map(() => b.next());
    assert.deepEqual(lows, [50, 100, 200, 400, 500, 500]);
    r = 1;
    assert.equal(b.next(), 1000);
    b.connected(0);
    b.disconnected(1000);
    assert.equal(b.next(), 1000, 'a short connection does not reset');
    b.connected(10000);
    b.disconnected(20000);
    assert.equal(b.next(), 100, 'a stable connection resets');
    for (let i = 0; i < 1000; i++) {
      r = Math.random();
      const d = b.next();
      assert.ok(d >= 0 && d <= b.maxDelayMs);
    }
  });
});
