/**
 * What the nodes using a session learn of it: the state it is already in when they subscribe
 * (a session that failed at deploy), the real cause on audio in's status when input is refused,
 * and option updates as the service receives them (transcription turned off stays off, also
 * after a reconnect).
 */
import assert from 'node:assert/strict';
import { Simulator } from '../src/simulator';
import { ALL_NODES, capture, catchNode, helper, loadFlow, sessionConfig, waitFor } from './support/red';
import { tone } from './support/sim-audio';

const KEY = 'sk-state-3b9e1c7a5d';

describe('session state as the other nodes see it', function () {
  this.timeout(30000);
  let sim: Simulator;

  beforeEach(async function () {
    sim = new Simulator({ realtime: false, apiKey: KEY });
    await sim.start();
  });
  afterEach(async function () {
    await helper.unload();
    await sim.stop();
    delete process.env.DASHSCOPE_API_KEY;
  });

  for (const [what, url] of [['an insecure URL', 'ws://example.com/api-ws/v1/realtime'], ['a URL that is not one', 'ws://exa mple/']]) {
    it(`a session failed at deploy (${what}) says so on translation-out's events output`, async function () {
      await loadFlow([
        sessionConfig({ url }),
        { id: 'out1', type: 'livetranslate-translation-out', session: 'sess1', wires: [[], [], [], ['ev']] },
        { id: 'ev', type: 'helper' },
      ], { sess1: { apiKey: KEY } });
      const got: Array<{ topic: string; payload: { state?: string; reason?: string } }> = [];
      helper.getNode('ev').on('input', (m: { topic: string; payload: { state?: string; reason?: string } }) => got.push(m));
      await waitFor(() => got.length > 0, 2000, 'a state message');
      assert.equal(got[0].topic, 'state');
      assert.equal(got[0].payload.state, 'failed');
      assert.ok(got[0].payload.reason && got[0].payload.reason.length > 10, `the reason: ${got[0].payload.reason}`);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(got.length, 1, 'said once');
    });
  }

  it('a subscriber of a session already connecting gets that state once, not twice', async function () {
    await loadFlow([
      sessionConfig({ url: sim.url }),
      { id: 'out1', type: 'livetranslate-translation-out', session: 'sess1', wires: [[], [], [], ['ev']] },
      { id: 'ev', type: 'helper' },
    ], { sess1: { apiKey: KEY } });
    const got: Array<{ payload: { state?: string } }> = [];
    helper.getNode('ev').on('input', (m: { topic: string; payload: { state?: string } }) => { if (m.topic === 'state') got.push(m); });
    await waitFor(() => got.some((m) => m.payload.state === 'open'), 3000, 'open');
    assert.deepEqual(got.map((m) => m.payload.state), ['connecting', 'open']);
  });

  for (const [what, creds] of [['a refused key', { sess1: { apiKey: 'sk-wrong-0000000' } }], ['no key', {}]] as const) {
    it(`after ${what}, audio in's status names the cause, not the audio; the error is catchable`, async function () {
      delete process.env.DASHSCOPE_API_KEY;
      await loadFlow([
        sessionConfig({ url: sim.url }),
        { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', wires: [] },
        { id: 'c', type: 'catch', scope: ['in1'], wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ], creds, [...ALL_NODES, catchNode]);
      const rt = (helper.getNode('sess1') as unknown as { realtime: { state: string } }).realtime;
      await waitFor(() => rt.state === 'failed', 3000, 'failed');
      const caught: Array<{ error: { message: string } }> = [];
      helper.getNode('caught').on('input', (m: { error: { message: string } }) => caught.push(m));
      helper.getNode('in1').receive({ payload: Buffer.alloc(3200) });
      await waitFor(() => caught.length === 1, 2000, 'a catchable error');
      const cause = what === 'no key' ? /no API key/ : /refused the API key/;
      assert.match(caught[0].error.message, cause);
      // Every status the node showed (the helper spies on node.status), the last one after the input.
      const shown = (helper.getNode('in1') as unknown as { status: { args: Array<[{ text?: string }]> } }).status.args;
      assert.ok(shown.length >= 1);
      const last = String(shown[shown.length - 1][0].text);
      assert.ok(!/badaudio|bad audio/.test(last), `status after the refused input: ${last}`);
      assert.match(last, what === 'no key' ? /nokey|no API key/ : /badkey|API key refused/);
    });
  }

  it('update {transcription: false} turns the transcript off at the service, also after a reconnect', async function () {
    await loadFlow([
      sessionConfig({ url: sim.url, transcription: true, backoffInitialMs: 20, backoffMaxMs: 100 }),
      { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', pacing: 'fast', gate: 'off', wires: [] },
      { id: 'out1', type: 'livetranslate-translation-out', session: 'sess1', partials: false, wires: [[], [], [], []] },
    ], { sess1: { apiKey: KEY } });
    const out = capture(helper.getNode('out1') as never);
    await waitFor(() => sim.sessions.length === 1 && sim.sessions[0].config.input_audio_transcription?.model, 3000, 'transcription on');
    helper.getNode('in1').receive({ action: 'update', payload: { transcription: false } });
    await waitFor(() => !sim.sessions[0].config.input_audio_transcription?.model, 3000, 'transcription off at the service');
    assert.equal(sim.sessions[0].config.input_audio_transcription?.language, 'en', 'the source language stays');

    const speak = () => {
      const speech = Buffer.concat([tone(1, 300, -12), Buffer.alloc(32000)]);
      for (let off = 0; off < speech.length; off += 3200) helper.getNode('in1').receive({ payload: speech.subarray(off, off + 3200) });
    };
    speak();
    await waitFor(() => out.some((c) => c.port === 0), 5000, 'a translation');
    assert.ok(!sim.sessions[0].eventsSent.some((t) => t.startsWith('conversation.item.input_audio_transcription')), 'no transcript events');

    sim.drop();
    await waitFor(() => sim.sessions.length === 2 && sim.sessions[1].eventsSent.includes('session.updated'), 3000, 'reconnected');
    assert.ok(!sim.sessions[1].config.input_audio_transcription?.model, 'still off on the new connection');
  });
});
