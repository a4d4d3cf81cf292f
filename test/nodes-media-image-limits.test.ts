/**
 * image in never exceeds the service's image limits, whatever its input does: a camera at 20 frames a
 * second, through the real node into the simulator (which refuses images before the first audio, over
 * 2 a second, or out of size), has no frame refused and at most 2 a second received.
 */
import assert from 'node:assert/strict';
import { Simulator } from '../src/simulator';
import { helper, loadFlow, sessionConfig, statuses, waitFor } from './support/red';
import { speechBuffer } from './support/fixtures';
import { scene } from './support/image-fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('image in within the service\'s limits (simulator)', function () {
  this.timeout(60000);
  let sim: Simulator;

  before(async function () {
    sim = new Simulator({ realtime: false });
    await sim.start();
  });
  after(async function () { await sim.stop(); });
  afterEach(async function () { await helper.unload(); });

  it('20 frames a second for 5 s, from before the first audio on: none refused, at most 2 a second received', async function () {
    await loadFlow([
      sessionConfig({ url: sim.url, targetLanguage: 'en', sourceLanguage: 'ja', transcription: false }),
      { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', pacing: 'fast', gate: 'off', wires: [] },
      { id: 'img1', type: 'livetranslate-image-in', session: 'sess1', wires: [] },
    ], { sess1: { apiKey: 'sk-test-123456' } });
    const sess = helper.getNode('sess1') as unknown as { realtime?: { state: string } };
    await waitFor(() => sess.realtime?.state === 'open', 5000, 'session open');
    const rec = sim.sessions[sim.sessions.length - 1];
    const img = helper.getNode('img1');
    const seen = statuses(img as never);
    const frames = await Promise.all([0, 1, 2, 3].map((seed) => scene(1280, 720, { noise: 8, seed }).jpeg().toBuffer()));

    const RATE = 20, SECONDS = 5, AUDIO_AFTER = 20; // the first second's frames come before any audio
    const start = Date.now();
    for (let i = 0; i < RATE * SECONDS; i++) {
      if (i === AUDIO_AFTER) helper.getNode('in1').receive({ payload: speechBuffer('Hello there.', { rate: 16000 }) });
      img.receive({ payload: frames[i % frames.length] });
      await sleep(Math.max(0, start + ((i + 1) * 1000) / RATE - Date.now()));
    }
    const fed = RATE * SECONDS;
    // Every frame is accounted for (sent or dropped) once the last one has gone out.
    await waitFor(() => /^(\d+) sent, (\d+) dropped$/.exec(seen[seen.length - 1]?.text ?? '')
      ?.slice(1).map(Number).reduce((a, b) => a + b) === fed, 10000, 'every frame counted in the status');
    const elapsed = (Date.now() - start) / 1000;

    assert.ok(rec.audioAppends > 0, 'audio reached the simulator');
    assert.equal(rec.imagesRejected, 0, 'the simulator refused no frame (before audio, rate, size or format)');
    assert.ok(rec.imagesReceived <= 2 * elapsed + 2, `${rec.imagesReceived} frames received in ${elapsed.toFixed(1)} s`);
    // Lower bound: the frames after the first audio keep flowing at about 2 a second (latest wins, not starved).
    assert.ok(rec.imagesReceived >= 2 * (SECONDS - 1) - 2, `${rec.imagesReceived} frames received in the 4 s after the audio`);
    const [sent] = /^(\d+) sent/.exec(seen[seen.length - 1].text as string)!.slice(1).map(Number);
    // The node counts what it hands to the session; the session holds one frame (latest wins) until the audio.
    assert.ok(rec.imagesReceived <= sent && sent <= rec.imagesReceived + 2, `${sent} handed to the session, ${rec.imagesReceived} received`);
  });
});
