/**
 * Session settings that decide when the connection exists, through the real nodes and the
 * simulator: connectMode "input" (no connection until audio comes), idleTimeout (the session is
 * finished after that long without input, and opens again with the next audio) and audio in's
 * finishAtEnd (a recording's end finishes the session once its audio is sent).
 *
 * Durations are checked from below only (a timer never fires early); waits are generous.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Simulator } from '../src/simulator';
import type { RealtimeSession } from '../src/client';
import { helper, loadFlow, sessionConfig, waitFor } from './support/red';
import { speechFile } from './support/fixtures';

const SENTENCE = 'Good morning everyone.';
const SCRIPT = [{ transcript: SENTENCE, translation: '皆さん、おはようございます。' }];
const FRAME = Buffer.alloc(3200); // 100 ms of 16 kHz mono silence

const CREDENTIALS = { sess1: { apiKey: 'sk-test-123456' } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function flow(url: string, session: Record<string, unknown>, audioIn: Record<string, unknown> = {}) {
  return [
    sessionConfig({ url, targetLanguage: 'ja', output: 'text', ...session }),
    { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', pacing: 'fast', gate: 'off', endSilence: 1, wires: [], ...audioIn },
    { id: 'out1', type: 'livetranslate-translation-out', session: 'sess1', partials: false, wires: [['tr'], [], [], []] },
    { id: 'tr', type: 'helper' },
  ];
}

function realtimeOf(): RealtimeSession {
  return (helper.getNode('sess1') as unknown as { realtime: RealtimeSession }).realtime;
}

describe('when the session connects and finishes: connectMode, idleTimeout, finishAtEnd', function () {
  this.timeout(30000);
  let sim: Simulator;
  let url: string;

  beforeEach(async function () {
    sim = new Simulator({ script: SCRIPT, realtime: false });
    url = await sim.start();
  });

  afterEach(async function () {
    await helper.unload();
    await sim.stop();
  });

  it('connectMode "input": no connection at deploy; the first audio opens one and is sent on it', async function () {
    await loadFlow(flow(url, { connectMode: 'input', idleTimeout: 60 }), CREDENTIALS);
    await sleep(500);
    assert.equal(sim.sessions.length, 0, 'nothing connects at deploy');
    assert.notEqual(realtimeOf().state, 'open');
    helper.getNode('in1').receive({ payload: FRAME });
    await waitFor(() => sim.sessions.length === 1 && sim.sessions[0].audioBytesReceived === FRAME.length, 10000, 'the audio on a new session');
    assert.equal(realtimeOf().state, 'open');
  });

  it('connectMode "deploy" (the default) connects at deploy, before any input', async function () {
    await loadFlow(flow(url, { connectMode: 'deploy' }), CREDENTIALS);
    await waitFor(() => sim.sessions.length === 1 && realtimeOf().state === 'open', 10000, 'connected at deploy');
    assert.equal(sim.sessions[0].audioBytesReceived, 0);
  });

  it('idleTimeout: input keeps the session; after the timeout without input it is finished, and the next audio opens a new one', async function () {
    const idleMs = 1000;
    await loadFlow(flow(url, { connectMode: 'input', idleTimeout: idleMs / 1000 }), CREDENTIALS);
    const states: string[] = [];
    realtimeOf().on('state', (s) => states.push(s));
    // Input every 100 ms for twice the timeout: the idle timer is re-armed each time.
    let last = 0;
    for (let i = 0; i < 20; i++) {
      helper.getNode('in1').receive({ payload: FRAME });
      last = Date.now();
      await sleep(100);
    }
    await waitFor(() => sim.sessions.length === 1 && sim.sessions[0].audioBytesReceived === 20 * FRAME.length, 10000, 'all audio');
    assert.ok(!states.includes('closed'), `the session stayed open while input came (states ${states.join(', ')})`);
    assert.equal(sim.sessions[0].finished, false);

    await waitFor(() => sim.sessions[0].finished && realtimeOf().state === 'closed', 10000, 'finished when idle');
    const idleFor = Date.now() - last;
    assert.ok(idleFor >= idleMs - 50, `finished ${idleFor} ms after the last input, not before the ${idleMs} ms timeout`);
    assert.equal(sim.sessions.length, 1, 'an idle session is not reopened by itself');

    helper.getNode('in1').receive({ payload: FRAME });
    await waitFor(() => sim.sessions.length === 2 && sim.sessions[1].audioBytesReceived === FRAME.length, 10000, 'a new session for new audio');
  });

  for (const finishAtEnd of [true, false]) {
    it(`finishAtEnd ${finishAtEnd}: a recording is translated, then the session is ${finishAtEnd ? 'finished' : 'kept open'}`, async function () {
      await loadFlow(flow(url, { connectMode: 'deploy' }, { finishAtEnd }), CREDENTIALS);
      await waitFor(() => realtimeOf().state === 'open', 10000, 'open');
      const translations: string[] = [];
      helper.getNode('tr').on('input', (m: { payload: string }) => translations.push(m.payload));
      helper.getNode('in1').receive({ payload: readFileSync(speechFile(SENTENCE, { rate: 16000, channels: 1 })) });
      await waitFor(() => translations.length > 0, 15000, 'the translation');
      assert.equal(translations[0], SCRIPT[0].translation);
      const rec = sim.sessions[0];
      if (finishAtEnd) {
        await waitFor(() => rec.finished && realtimeOf().state === 'closed', 10000, 'finished after the recording');
        assert.ok(rec.audioBytesReceived >= 32000, 'the recording and its end silence were sent before finishing');
      } else {
        await sleep(1000);
        assert.equal(rec.finished, false);
        assert.equal(realtimeOf().state, 'open');
      }
      assert.equal(sim.sessions.length, 1);
    });
  }
});
