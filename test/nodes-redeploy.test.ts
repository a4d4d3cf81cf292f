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
    // Our side's sockets finish their close handshakes asynchronously (ws keeps a close timer
    // until they do); once they are gone, nothing of ours may be left: no timer waits.
    await waitFor(() => ['TCPSocketWrap', 'TCPWRAP'].every((k) => (handles()[k] || 0) <= (before[k] || 0)), 5000, 'our sockets closed');
    const after = handles();
    assert.equal(sim.sessions.length, 21);
    assert.ok(sim.sessions.every((s) => s.closed), 'every session closed');
    for (const kind of ['Timeout', 'TCPSocketWrap', 'TCPWRAP']) {
      assert.ok((after[kind] || 0) <= (before[kind] || 0), `${kind}: ${before[kind] || 0} before, ${after[kind] || 0} after`);
    }
  });

  it('closing with audio still waiting for the connection says so once, at close, and leaves no timer', async function () {
    const flow = [
      sessionConfig({ url: sim.url }),
      { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', pacing: 'fast', gate: 'off', wires: [] },
    ];
    await loadFlow(flow, { sess1: { apiKey: 'k-123456' } });
    await waitFor(() => sim.openSockets() === 1, 5000, 'connected');
    await helper.unload();
    await waitFor(() => sim.openSockets() === 0, 5000, 'closed');
    await new Promise((r) => setTimeout(r, 50));
    const before = handles();

    // A service that never answers the upgrade: the audio waits in the session's buffer.
    sim.armUpgrade({ kind: 'hang' });
    await loadFlow(flow, { sess1: { apiKey: 'k-123456' } });
    const node = helper.getNode('sess1') as unknown as { realtime: { state: string; queuedAudioFrames: number }; warn: (m: unknown) => void };
    // Recorded on the node itself: the helper's spies are restored when the flow stops.
    const warned: string[] = [];
    const warn = node.warn.bind(node);
    node.warn = (m: unknown) => { warned.push(String(m)); warn(m); };
    for (let i = 0; i < 10; i++) helper.getNode('in1').receive({ payload: Buffer.alloc(3200) });
    await waitFor(() => node.realtime.queuedAudioFrames === 10, 2000, 'audio queued');
    assert.equal(node.realtime.state, 'connecting');
    await helper.unload();
    const atClose = warned.slice();
    assert.equal(atClose.filter((w) => /not sent/.test(w)).length, 1, `said once at close: ${atClose.join(' | ')}`);
    assert.ok((handles().Timeout || 0) <= (before.Timeout || 0), `no timer left: ${before.Timeout || 0} before, ${handles().Timeout || 0} after`);
    // The drop report's period is 1 s: nothing may come of a timer armed at close.
    await new Promise((r) => setTimeout(r, 1300));
    assert.deepEqual(warned, atClose, 'nothing said after close');
  });
});
