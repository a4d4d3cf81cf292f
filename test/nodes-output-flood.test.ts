/**
 * A server flooding translation out with partial-text and audio events, through the real node in
 * a real Node-RED runtime: the messages the node sends stay bounded (partials coalesced to
 * ≤ 10/s per output), no audio chunk disappears unreported, and the final texts are right.
 */
import assert from 'node:assert/strict';
import { Simulator } from '../src/simulator';
import { capture, helper, loadFlow, sessionConfig, waitFor, type Captured } from './support/red';

describe('translation out under a flooding server', function () {
  this.timeout(120000);
  let sim: Simulator;

  before(async function () {
    sim = new Simulator({ realtime: false });
    await sim.start();
  });
  after(async function () {
    await helper.unload();
    await sim.stop();
  });

  it('30,000 partials and 31,000 audio chunks (1,300 s): bounded messages, every chunk passed or reported, finals right', async function () {
    const flow = [
      sessionConfig({ url: sim.url }),
      { id: 'out1', type: 'livetranslate-translation-out', session: 'sess1', wires: [[], [], [], []] },
    ];
    await loadFlow(flow, { sess1: { apiKey: 'k-123456' } });
    const out: Captured[] = capture(helper.getNode('out1'));
    await waitFor(() => out.some((c) => c.port === 3 && c.msg.topic === 'session.updated'), 10000, 'session updated');

    const N = 30000;
    const ref = '"response_id":"resp_flood","item_id":"item_flood","output_index":0,"content_index":0';
    const src = '"item_id":"item_src","content_index":0';
    const chunk = Buffer.alloc(480, 1).toString('base64'); // 10 ms of 24 kHz speech: 300 s in all
    const started = Date.now();
    for (let i = 1; i <= N; i++) {
      // Incremental partials: the node must still send whole lines.
      sim.inject(`{"type":"response.audio_transcript.text",${ref},"text":"w${i % 10}"}`);
      sim.inject(`{"type":"response.audio.delta",${ref},"delta":"${chunk}"}`);
      if (i % 10 === 0) sim.inject(`{"type":"conversation.item.input_audio_transcription.text",${src},"text":"s","stash":"..."}`);
      if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
    }
    // Then 1,000 s of speech at once, beyond the audio budget (10 min at once, then 60 s per second).
    const second = Buffer.alloc(48000, 1).toString('base64');
    const LONG = 1000;
    for (let i = 0; i < LONG; i++) {
      sim.inject(`{"type":"response.audio.delta",${ref},"delta":"${second}"}`);
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    sim.inject(`{"type":"conversation.item.input_audio_transcription.completed",${src},"transcript":"the source line"}`);
    sim.inject(`{"type":"response.audio_transcript.done",${ref},"transcript":"the final line"}`);
    sim.inject(`{"type":"response.audio.done",${ref}}`);
    sim.inject('{"type":"response.done","response":{"id":"resp_flood","status":"completed"}}');
    await waitFor(() => out.some((c) => c.port === 3 && c.msg.topic === 'response.done'), 60000, 'response.done');
    // The drop report comes within a second of the last drop.
    await new Promise((r) => setTimeout(r, 1200));
    const elapsed = (Date.now() - started) / 1000;

    const text = out.filter((c) => c.port === 0);
    const source = out.filter((c) => c.port === 1);
    const partialBound = 10 * (elapsed + 1);
    assert.ok(text.length >= 2, 'some partials and the final');
    assert.ok(text.length <= partialBound + 1, `${text.length} translation messages in ${elapsed.toFixed(1)} s (bound ${partialBound.toFixed(0)})`);
    assert.ok(source.length <= partialBound + 1, `${source.length} transcript messages`);
    const finalText = text.filter((c) => c.msg.partial === false);
    assert.deepEqual(finalText.map((c) => c.msg.payload), ['the final line']);
    assert.equal(text[text.length - 1].msg.partial, false, 'no partial after the final');
    assert.deepEqual(source.filter((c) => c.msg.partial === false).map((c) => c.msg.payload), ['the source line']);
    // Every partial that did go out is a whole line (incremental fragments joined), growing.
    const lengths = text.filter((c) => c.msg.partial === true).map((c) => String(c.msg.payload).length);
    for (let i = 1; i < lengths.length; i++) assert.ok(lengths[i] > lengths[i - 1], 'each partial longer than the one before');

    const audio = out.filter((c) => c.port === 2).length;
    const reported = out.filter((c) => c.port === 3 && c.msg.topic === 'throttled')
      .reduce((n, c) => n + (c.msg.payload as { audioChunks: number }).audioChunks, 0);
    console.log(`      ${N} partials + ${N} + ${LONG} audio chunks + ${N / 10} transcript partials in ${elapsed.toFixed(1)} s -> ` +
      `${text.length} translation, ${source.length} transcript, ${audio} audio messages (${reported} chunks reported dropped)`);
    assert.equal(audio + reported, N + LONG, `${audio} audio chunks passed + ${reported} reported dropped`);
    assert.ok(audio >= N, 'the 5 minutes of small chunks all pass (within the 10 min burst)');
    assert.ok(reported > 0, 'the flood beyond the budget is reported');
  });
});
