/**
 * Bad settings and a wrong key give a clear, catchable error and a red status; the runtime keeps
 * running and a good flow deployed afterwards works.
 */
import assert from 'node:assert/strict';
import { Simulator } from '../src/simulator';
import { helper, loadFlow, sessionConfig, waitFor } from './support/red';

type Msg = Record<string, unknown> & { error?: { message: string } };

function flow(session: Record<string, unknown>) {
  return [
    { id: 'tab1', type: 'tab', label: 'test' },
    sessionConfig(session as never),
    { id: 'in1', z: 'tab1', type: 'livetranslate-audio-in', session: 'sess1', pacing: 'fast', gate: 'off', wires: [] },
    { id: 'catch1', z: 'tab1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab1', type: 'helper' },
  ];
}

function nextCaught(): Promise<Msg> {
  return new Promise((resolve) => helper.getNode('caught').once('input', (msg: Msg) => resolve(msg)));
}

function lastStatus(id: string): { fill?: string; text?: string } | undefined {
  const node = helper.getNode(id) as unknown as { status: { args: Array<[{ fill?: string; text?: string }]> } };
  const calls = node.status.args;
  return calls.length ? calls[calls.length - 1][0] : undefined;
}

const PCM = Buffer.alloc(3200);

describe('validation and errors in Node-RED', function () {
  let sim: Simulator;
  let url: string;

  beforeEach(async function () {
    sim = new Simulator({ realtime: false, apiKey: 'right-key-123456' });
    url = await sim.start();
  });

  afterEach(async function () {
    await helper.unload();
    await sim.stop();
  });

  const cases: Array<{ what: string; session: Record<string, unknown>; expect: RegExp }> = [
    { what: 'an unknown source language', session: { sourceLanguage: 'xx' }, expect: /sourceLanguage.*Unsupported source language: 'xx'/ },
    { what: 'an unknown target language', session: { targetLanguage: 'klingon' }, expect: /targetLanguage.*Unsupported target language/ },
    { what: 'audio output for a text-only target', session: { targetLanguage: 'ar', output: 'text+audio' }, expect: /Audio output is not available for target language 'ar'/ },
    { what: 'a voice that cannot speak the target', session: { targetLanguage: 'ja', voice: 'Kiki' }, expect: /Voice 'Kiki' cannot speak 'ja'/ },
    { what: 'an unknown voice', session: { voice: 'Ethan' }, expect: /Voice 'Ethan' is not supported/ },
  ];

  for (const c of cases) {
    it(`refuses ${c.what}: red status, catchable error, no connection`, async function () {
      await loadFlow(flow({ url, ...c.session }), { sess1: { apiKey: 'right-key-123456' } });
      const status = lastStatus('in1');
      assert.equal(status && status.fill, 'red');
      const caught = nextCaught();
      helper.getNode('in1').receive({ payload: PCM });
      const msg = await caught;
      assert.match(String(msg.error && msg.error.message), c.expect);
      assert.equal(sim.sessions.length, 0, 'an invalid session is never opened');
    });
  }

  it('refuses a wrong API key: red status with the reason, catchable error, the key never shown', async function () {
    await loadFlow(flow({ url }), { sess1: { apiKey: 'wrong-key-abcdef' } });
    await waitFor(() => { const s = lastStatus('in1'); return s && s.fill === 'red'; }, 5000, 'red status');
    assert.match(String(lastStatus('in1')!.text), /badkey/);
    const caught = nextCaught();
    helper.getNode('in1').receive({ payload: PCM });
    const msg = await caught;
    const text = String(msg.error && msg.error.message);
    assert.match(text, /refused the API key \(HTTP 401\)/);
    assert.doesNotMatch(text, /wrong-key-abcdef/);
    // No retry storm: one attempt, not a loop.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sim.rejectedUpgrades, 1);
  });

  it('a wrong update action is caught and the session keeps its configuration', async function () {
    await loadFlow(flow({ url }), { sess1: { apiKey: 'right-key-123456' } });
    await waitFor(() => sim.sessions[0] && sim.sessions[0].config.translation?.language === 'ja', 5000, 'session');
    const caught = nextCaught();
    helper.getNode('in1').receive({ action: 'update', payload: { targetLanguage: 'th', output: 'text+audio' } });
    const msg = await caught;
    assert.match(String(msg.error!.message), /Audio output is not available for target language 'th'/);
    const good = helper.getNode('in1');
    good.receive({ action: 'update', payload: { targetLanguage: 'de' } });
    await waitFor(() => sim.sessions[0].config.translation?.language === 'de', 5000, 'update applied');
  });

  it('bad audio input is caught and the node keeps working', async function () {
    await loadFlow(flow({ url }), { sess1: { apiKey: 'right-key-123456' } });
    await waitFor(() => sim.sessions[0] && sim.sessions[0].config.translation?.language === 'ja', 5000, 'session');
    const caught = nextCaught();
    helper.getNode('in1').receive({ payload: { not: 'audio' } });
    const msg = await caught;
    assert.match(String(msg.error!.message), /accept|expected|support/i);
    helper.getNode('in1').receive({ payload: PCM });
    await waitFor(() => sim.sessions[0].audioBytesReceived >= 3200, 5000, 'good audio after bad');
  });
});
