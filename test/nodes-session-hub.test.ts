/**
 * The session's users in a real Node-RED runtime: a user node clears its status when it closes; a
 * user removed for good that was the session's last finishes the session (nobody uses it), while a
 * user only redeployed keeps it (a new instance comes straight back), as Node-RED's MQTT nodes do.
 */
import assert from 'node:assert/strict';
import { Simulator } from '../src/simulator';
import { helper, loadFlow, sessionConfig, statuses, waitFor } from './support/red';

interface SessionView { realtime?: { state: string } }

/** A "modified nodes" deploy, as the editor's default deploy does it. */
function deploy(flow: object[]): Promise<void> {
  return helper.setFlows(flow as never, 'nodes', { sess1: { apiKey: 'k-123456' } } as never);
}

describe('session users in Node-RED: close, removal, redeploy', function () {
  this.timeout(30000);
  let sim: Simulator;
  const creds = { sess1: { apiKey: 'k-123456' } };

  before(async function () {
    sim = new Simulator({ realtime: false });
    await sim.start();
  });
  after(async function () { await sim.stop(); });
  afterEach(async function () {
    await helper.unload();
    await waitFor(() => sim.openSockets() === 0, 5000, 'sockets closed');
  });

  const users = [
    { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', pacing: 'fast', gate: 'off', wires: [] },
    { id: 'img1', type: 'livetranslate-image-in', session: 'sess1', wires: [] },
    { id: 'out1', type: 'livetranslate-translation-out', session: 'sess1', wires: [[], [], [], []] },
  ];

  it('every user node clears its status when its flow stops', async function () {
    await loadFlow([sessionConfig({ url: sim.url }), ...users], creds);
    await waitFor(() => sim.openSockets() === 1, 5000, 'connected');
    const shown = users.map((u) => statuses(helper.getNode(u.id) as never));
    await helper.unload();
    for (const [i, s] of shown.entries()) {
      assert.ok(s.length >= 1, `${users[i].type} showed something at close`);
      assert.deepEqual(s.at(-1), {}, `${users[i].type}: last status ${JSON.stringify(s.at(-1))}`);
    }
  });

  it('redeploying the users keeps the session open; removing the last of them finishes it', async function () {
    const before = sim.sessions.length;
    await loadFlow([sessionConfig({ url: sim.url }), ...users], creds);
    await waitFor(() => sim.openSockets() === 1, 5000, 'connected');
    const session = helper.getNode('sess1') as unknown as SessionView;
    await waitFor(() => session.realtime && session.realtime.state === 'open', 5000, 'open');

    // Changed users are redeployed ("modified nodes" deploy): the session stays as it is.
    await deploy([sessionConfig({ url: sim.url }), ...users.map((u) => ({ ...u, name: 'renamed' }))]);
    assert.equal(helper.getNode('sess1') as unknown as SessionView, session, 'the session node was not restarted');
    assert.equal(session.realtime && session.realtime.state, 'open');
    assert.equal(sim.sessions.length, before + 1, 'no new session opened');

    // Two users removed: one is left, the session stays.
    await deploy([sessionConfig({ url: sim.url }), users[0]]);
    assert.equal(session.realtime && session.realtime.state, 'open');

    // The last user removed: nobody uses the session, it is finished at the service.
    await deploy([sessionConfig({ url: sim.url })]);
    await waitFor(() => sim.openSockets() === 0, 5000, 'session finished');
    assert.ok(sim.sessions.every((s) => s.closed), 'closed at the service');
    assert.equal(sim.sessions.length, before + 1, 'no new session opened');
  });

  it('an audio in feeding a second session is one of its users: removing that session\'s only other user keeps it open', async function () {
    const two = { sess1: { apiKey: 'k-123456' }, sess2: { apiKey: 'k-123456' } };
    const second = sessionConfig({ id: 'sess2', url: sim.url, targetLanguage: 'zh' });
    const feeder = { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', session2: 'sess2', pacing: 'fast', gate: 'off', wires: [] };
    const out2 = { id: 'out2', type: 'livetranslate-translation-out', session: 'sess2', wires: [[], [], [], []] };
    await loadFlow([sessionConfig({ url: sim.url }), second, feeder, out2], two);
    await waitFor(() => sim.openSockets() === 2, 5000, 'both connected');
    const session2 = helper.getNode('sess2') as unknown as SessionView;
    await waitFor(() => session2.realtime && session2.realtime.state === 'open', 5000, 'open');

    // The second language's output is removed; the audio in still feeds that session.
    await helper.setFlows([sessionConfig({ url: sim.url }), second, feeder] as never, 'nodes', two as never);
    await new Promise((r) => setTimeout(r, 1500)); // past the hub's grace period for a removed last user
    assert.equal(session2.realtime && session2.realtime.state, 'open', 'the session the audio in feeds stays open');
    assert.equal(sim.openSockets(), 2);

    // Once the audio in is removed too, nobody uses either session.
    await helper.setFlows([sessionConfig({ url: sim.url }), second] as never, 'nodes', two as never);
    await waitFor(() => sim.openSockets() === 0, 5000, 'both finished');
  });
});
