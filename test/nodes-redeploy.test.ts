/**
 * Redeploying must leave nothing behind: 20 deploy/stop cycles, then no sockets open at the
 * simulator and no more timers or sockets in this process than before.
 */
import assert from 'node:assert/strict';
import { Simulator } from '../src/simulator';
import { helper, loadFlow, sessionConfig, waitFor } from './support/red';

function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] || 0) + 1;
  return counts;
}

describe('redeploy', function () {
  this.timeout(60000);
  let sim: Simulator;

  before(async function () {
    sim = new Simulator({ realtime: false });
    await sim.start();
  });

  after(async function () {
    await sim.stop();
  });

  it('20 redeploys in a row leave no open sockets or timers behind', async function () {
    const flow = [
      sessionConfig({ url: sim.url }),
      { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', pacing: 'realtime', gate: 'off', wires: [] },
      { id: 'img1', type: 'livetranslate-image-in', session: 'sess1', wires: [] },
      { id: 'out1', type: 'livetranslate-translation-out', session: 'sess1', wires: [[], [], [], []] },
    ];
    // One deploy first, so lazily created module-level state is not counted as a leak.
    await loadFlow(flow, { sess1: { apiKey: 'k-123456' } });
    await waitFor(() => sim.openSockets() === 1, 5000, 'connected');
    await helper.unload();
    await waitFor(() => sim.openSockets() === 0, 5000, 'closed');
    await new Promise((r) => setTimeout(r, 50));
    const before = handles();

    for (let i = 0; i < 20; i++) {
      await loadFlow(flow, { sess1: { apiKey: 'k-123456' } });
      await waitFor(() => sim.openSockets() === 1, 5000, `connected #${i}`);
      // Stream some audio so pacing timers and the reply path are live when the flow stops.
      helper.getNode('in1').receive({ payload: Buffer.alloc(32000 * 2) });
      await helper.unload();
    }
    await waitFor(() => sim.openSockets() === 0, 5000, 'all sockets closed at the simulator');
    // Closing sockets finish their handshakes asynchronously: give a loaded machine up to 2 s to
    // settle, then judge (a leak never settles).
    const settled = () => ['Timeout', 'TCPSocketWrap', 'TCPWRAP'].every((k) => (handles()[k] || 0) <= (before[k] || 0));
    const start = Date.now();
    while (!settled() && Date.now() - start < 2000) await new Promise((r) => setTimeout(r, 50));
    const after = handles();
    assert.equal(sim.sessions.length, 21);
    assert.ok(sim.sessions.every((s) => s.closed), 'every session closed');
    for (const kind of ['Timeout', 'TCPSocketWrap', 'TCPWRAP']) {
      assert.ok((after[kind] || 0) <= (before[kind] || 0), `${kind}: ${before[kind] || 0} before, ${after[kind] || 0} after`);
    }
  });
});
