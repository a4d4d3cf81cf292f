import assert from 'node:assert/strict';
import { Simulator, type SimFaults } from '../src/simulator';
import { speechBuffer } from './support/fixtures';
import { connectSim, refusedUpgrade, settle, streamPcm, type SimClient } from './support/sim-client';
import { lagMeter } from './support/loop-lag';

const SPEECH = () => speechBuffer('Testing faults.', { rate: 16000, channels: 1, type: 'raw', padEnd: 1.2 });

describe('simulator: fault injection', function () {
  let sim: Simulator;
  let url: string;
  const faults: SimFaults = {};
  const clients: SimClient[] = [];

  beforeEach(async function () {
    for (const k of Object.keys(faults) as (keyof SimFaults)[]) delete faults[k];
    sim = new Simulator({ realtime: false, faults });
    url = await sim.start();
  });

  afterEach(async function () {
    for (const c of clients.splice(0)) c.ws.terminate();
    await sim.stop();
  });

  async function open(): Promise<SimClient> {
    const c = await connectSim(url);
    clients.push(c);
    await c.waitFor('session.created');
    return c;
  }

  it('refuseAuth turns every upgrade into a 401, live', async function () {
    await open();
    faults.refuseAuth = true;
    assert.equal((await refusedUpgrade(url, { Authorization: 'Bearer good' })).status, 401);
    faults.refuseAuth = false;
    await open();
    assert.equal(sim.sessions.length, 2);
  });

  it('dropAfterEvents cuts the socket without a close frame after N events', async function () {
    faults.dropAfterEvents = 5;
    const c = await open();
    streamPcm(c, SPEECH());
    const code = await c.closed();
    assert.equal(code, 1006, 'abnormal closure');
    assert.equal(c.events.length, 5);
    assert.equal(sim.sessions[0].eventsSent.length, 5);
  });

  it('inject() sends any frame, malformed JSON included; drop() cuts connections', async function () {
    const a = await open();
    const b = await open();
    assert.equal(sim.inject('{"type": "error", broken', sim.sessions[1].id), 1);
    assert.equal(sim.inject({ event_id: 'event_x', type: 'error', error: { type: 'server_error', code: 'COMMON_ERROR', message: 'Internal service error: null' } }), 2);
    await a.waitFor('error');
    await settle(50);
    assert.deepEqual(b.events[1], { type: '(unparseable)', raw: '{"type": "error", broken' });
    assert.equal(b.events[2].error.code, 'COMMON_ERROR');
    assert.equal(a.events.filter((e) => e.type === 'error').length, 1, 'a did not get the malformed frame');
    assert.equal(sim.drop(sim.sessions[0].id), 1);
    assert.equal(await a.closed(), 1006);
    await settle(20);
    assert.equal(sim.openSockets(), 1);
    assert.equal(b.ws.readyState, b.ws.OPEN);
  });

  it('delayMs slows every reply step, even in fast mode', async function () {
    faults.delayMs = 40;
    const c = await open();
    const t0 = Date.now();
    streamPcm(c, SPEECH());
    await c.waitFor('input_audio_buffer.committed');
    const committedAt = Date.now();
    await c.waitFor('response.done');
    const steps = sim.sessions[0].eventsSent.length - sim.sessions[0].eventsSent.indexOf('conversation.item.created') - 1;
    const elapsed = Date.now() - committedAt;
    assert.ok(committedAt - t0 < 1000);
    // At least 8 reply events (created, item, part, a partial, done ×4), 40 ms each.
    assert.ok(steps >= 8 && elapsed >= 8 * 40, `${elapsed} ms for the reply`);
  });

  it('idleTimeoutMs closes a session that produced no response, like the service', async function () {
    faults.idleTimeoutMs = 300;
    const c = await open();
    const t0 = Date.now();
    const lag = lagMeter();
    // Audio without speech does not count as activity.
    streamPcm(c, Buffer.alloc(3200));
    const code = await c.closed();
    const elapsed = Date.now() - t0;
    const late = lag.lagMs();
    lag.stop();
    const err = c.events.find((e) => e.type === 'error');
    assert.equal(err?.error.code, 'response_idle_timeout');
    assert.equal(err?.error.message, 'Your session was closed because no response was generated for 0.3 seconds.');
    assert.equal(code, 1000);
    assert.ok(elapsed >= 250 && elapsed < 1500 + late, `${elapsed} ms (event loop ${late.toFixed(0)} ms late)`);
  });

  it('a response restarts the idle clock', async function () {
    faults.idleTimeoutMs = 700;
    const c = await open();
    await settle(400);
    streamPcm(c, SPEECH());
    await c.waitFor('response.done');
    await settle(500); // 900 ms after the session opened, 500 ms after the response
    assert.equal(c.ws.readyState, c.ws.OPEN);
    await c.closed();
    assert.equal(c.events[c.events.length - 1].error.code, 'response_idle_timeout');
  });
});
