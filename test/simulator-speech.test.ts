import assert from 'node:assert/strict';
import { Simulator, type ScriptedReply } from '../src/simulator';
import { speechBuffer } from './support/fixtures';
import { connectSim, settle, silence, streamPcm, type Ev, type SimClient } from './support/sim-client';
import { soundSpan, windowLevels } from './support/sim-audio';
import { lagMeter } from './support/loop-lag';

const RAW16 = { rate: 16000, channels: 1, type: 'raw' as const };
const SENTENCE = 'Hello, this is a test of the live translation simulator.';
const SENTENCE_2 = 'The weather is nice today.';
const ASR = { model: 'qwen3-asr-flash-realtime', language: 'en' };
const REPLIES: ScriptedReply[] = [
  { transcript: SENTENCE, translation: 'Bonjour, ceci est un test du simulateur de traduction en direct.', language: 'en' },
  { transcript: SENTENCE_2, translation: 'Il fait beau aujourd’hui.' },
  { transcript: 'never used', translation: 'jamais utilisé' },
];

/** ceil() that ignores float noise (4.48 s × 12.5 = 56.00000000000001 is 56 tokens). */
const ceilTokens = (x: number) => Math.ceil(Math.round(x * 1e6) / 1e6);

/** The types from the first speech event on, as one string, for matching the order with a regex. */
function utteranceTypes(c: SimClient): string {
  const types = c.types();
  return types.slice(types.indexOf('input_audio_buffer.speech_started')).join(' ');
}

function checkCumulative(partials: Ev[], final: string, what: string): void {
  assert.ok(partials.length >= 2, `${what}: several partials`);
  for (let i = 0; i < partials.length; i++) {
    const p = partials[i];
    assert.ok(final.startsWith(p.text), `${what} #${i}: text ${JSON.stringify(p.text)} is a prefix of the final`);
    assert.ok(final.startsWith(p.text + p.stash), `${what} #${i}: text+stash is a prefix of the final`);
    if (i > 0) assert.ok(p.text.length > partials[i - 1].text.length && p.text.startsWith(partials[i - 1].text), `${what} #${i} grows`);
    if (i < partials.length - 1) assert.ok(p.stash.length > 0, `${what} #${i}: a tentative tail`);
  }
  assert.equal(partials[partials.length - 1].text, final);
}

describe('simulator: speech in, translation out', function () {
  let sim: Simulator;
  let url: string;
  let client: SimClient | undefined;

  async function open(session: Record<string, unknown>, opts: ConstructorParameters<typeof Simulator>[0] = {}): Promise<SimClient> {
    sim = new Simulator({ realtime: false, script: REPLIES, ...opts });
    url = await sim.start();
    client = await connectSim(url);
    client.send({ type: 'session.update', session });
    await client.waitFor('session.updated');
    return client;
  }

  afterEach(async function () {
    client?.ws.terminate();
    client = undefined;
    await sim?.stop();
  });

  it('one espeak utterance (text+audio, with transcription) gives the documented sequence, after the speaker stops', async function () {
    const c = await open({ input_audio_transcription: ASR, translation: { language: 'fr' } }, { variants: { pace: 'after-speech' } });
    const pcm = speechBuffer(SENTENCE, { ...RAW16, padEnd: 1.5 });
    streamPcm(c, pcm);
    const done = await c.waitFor('response.done');
    await settle(200);

    // Order.
    const seq = utteranceTypes(c);
    assert.match(seq, new RegExp('^input_audio_buffer.speech_started input_audio_buffer.speech_stopped ' +
      'input_audio_buffer.committed conversation.item.created ' +
      '(conversation.item.input_audio_transcription.text )+conversation.item.input_audio_transcription.completed ' +
      'response.created response.output_item.added response.content_part.added ' +
      '(response.audio_transcript.text (response.audio.delta )*)+' +
      'response.audio_transcript.done response.audio.done response.content_part.done response.output_item.done response.done$'), seq);

    const one = (t: string) => c.events.filter((e) => e.type === t);
    const started = one('input_audio_buffer.speech_started')[0];
    const stopped = one('input_audio_buffer.speech_stopped')[0];
    const committed = one('input_audio_buffer.committed')[0];
    const created = one('conversation.item.created')[0];

    // Turn detection against the recording itself: speech from ~0, end = last sound + 800 ms.
    const span = soundSpan(pcm, 16000);
    assert.ok(Math.abs(started.audio_start_ms - span.firstMs) <= 40, `start ${started.audio_start_ms} vs ${span.firstMs}`);
    assert.ok(Math.abs(stopped.audio_end_ms - (span.lastMs + 800)) <= 60, `end ${stopped.audio_end_ms} vs ${span.lastMs + 800}`);
    assert.match(started.item_id, /^item_[A-Za-z0-9]{21}$/);
    assert.equal(stopped.item_id, started.item_id);
    assert.equal(committed.item_id, started.item_id);
    assert.equal(committed.previous_item_id, null);
    assert.equal(created.previous_item_id, started.item_id, 'pairs the source item with the translation item');

    // Source transcript: cumulative, on the input item, language from the script.
    const asr = one('conversation.item.input_audio_transcription.text');
    checkCumulative(asr.slice(1), SENTENCE, 'transcript');
    assert.equal(asr[0].text, '');
    for (const e of [...asr, ...one('conversation.item.input_audio_transcription.completed')]) {
      assert.equal(e.item_id, started.item_id);
      assert.equal(e.content_index, 0);
      assert.equal(e.language, 'en');
      assert.equal(e.emotion, 'neutral');
    }
    assert.equal(one('conversation.item.input_audio_transcription.completed')[0].transcript, SENTENCE);

    // Translation: cumulative partials, all on one response/item, indexes 0.
    const translation = REPLIES[0].translation;
    const rc = one('response.created')[0].response;
    assert.match(rc.id, /^resp_[A-Za-z0-9]{21}$/);
    assert.match(rc.conversation_id, /^conv_[A-Za-z0-9]{21}$/);
    assert.equal(rc.status, 'in_progress');
    assert.deepEqual(rc.modalities, ['text', 'audio']);
    const itemId = one('response.output_item.added')[0].item.id;
    assert.equal(itemId, created.item.id);
    assert.notEqual(itemId, started.item_id);
    const responseEvents = c.events.filter((e) => e.type.startsWith('response.') && e.type !== 'response.created' && e.type !== 'response.done');
    for (const e of responseEvents) {
      assert.equal(e.response_id, rc.id, e.type);
      assert.equal(e.output_index, 0, e.type);
      if (e.type !== 'response.output_item.added' && e.type !== 'response.output_item.done') {
        assert.equal(e.item_id, itemId, e.type);
        assert.equal(e.content_index, 0, e.type);
      }
    }
    checkCumulative(one('response.audio_transcript.text'), translation, 'translation');
    assert.equal(one('response.audio_transcript.done')[0].transcript, translation);
    assert.deepEqual(one('response.content_part.done')[0].part, { type: 'audio', text: translation });
    assert.equal(one('response.output_item.done')[0].item.status, 'completed');
    assert.equal(done.response.status, 'completed');
    assert.equal(done.response.output[0].content[0].transcript, translation);

    // Translated speech: 24 kHz PCM16 in 100–200 ms deltas, as long as the text says, speech-like.
    const deltas = one('response.audio.delta').map((e) => Buffer.from(e.delta, 'base64'));
    deltas.slice(0, -1).forEach((d) => assert.ok(d.length >= 4800 && d.length <= 9600, `delta of ${d.length} bytes`));
    const audio = Buffer.concat(deltas);
    const seconds = audio.length / 2 / 24000;
    const expected = translation.length * 0.07;
    assert.ok(Math.abs(seconds - expected) < 0.01, `${seconds} s of audio for ${translation.length} chars`);
    const levels = windowLevels(audio, 480);
    const loud = levels.filter((l) => l > -30).length / levels.length;
    const quiet = levels.filter((l) => l < -60).length / levels.length;
    assert.ok(loud > 0.5, `mostly voiced (${loud})`);
    assert.ok(quiet > 0.05, `with pauses between words (${quiet})`);

    // Usage: the published billing rules.
    const u = done.response.usage;
    const utteranceSeconds = (stopped.audio_end_ms - started.audio_start_ms) / 1000;
    assert.equal(u.input_tokens_details.audio_tokens, ceilTokens(utteranceSeconds * 12.5));
    assert.equal(u.output_tokens_details.audio_tokens, ceilTokens(seconds * 12.5));
    assert.ok(u.input_tokens_details.text_tokens > 0);
    assert.ok(u.output_tokens_details.text_tokens >= Math.ceil(translation.replace(/\s/g, '').length / 4));
    assert.equal(u.input_tokens_details.image_tokens, undefined);
    assert.equal(u.input_tokens, u.input_tokens_details.text_tokens + u.input_tokens_details.audio_tokens);
    assert.equal(u.output_tokens, u.output_tokens_details.text_tokens + u.output_tokens_details.audio_tokens);
    assert.equal(u.total_tokens, u.input_tokens + u.output_tokens);

    // What the simulator recorded.
    const rec = sim.sessions[0];
    assert.equal(rec.audioBytesReceived, pcm.length);
    assert.equal(rec.audioAppends, Math.ceil(pcm.length / 3200));
    assert.ok(Math.abs(rec.billedAudioSeconds - pcm.length / 32000) < 1e-9);
    assert.ok(rec.receivedAudio().equals(pcm));
    assert.deepEqual(rec.utterances, [{ startMs: started.audio_start_ms, endMs: stopped.audio_end_ms, reply: REPLIES[0] }]);
    assert.deepEqual(rec.eventsSent, c.types());
  });

  it('text-only mode: response.text.text partials and response.text.done, no audio', async function () {
    const c = await open({ modalities: ['text'], translation: { language: 'ar' } }, { variants: { pace: 'after-speech' } });
    streamPcm(c, speechBuffer(SENTENCE, { ...RAW16, padEnd: 1.5 }));
    const done = await c.waitFor('response.done');
    await settle(100);
    const seq = utteranceTypes(c);
    assert.match(seq, new RegExp('^input_audio_buffer.speech_started input_audio_buffer.speech_stopped ' +
      'input_audio_buffer.committed conversation.item.created ' +
      'response.created response.output_item.added response.content_part.added (response.text.text )+' +
      'response.text.done response.content_part.done response.output_item.done response.done$'), seq);
    const translation = REPLIES[0].translation;
    checkCumulative(c.events.filter((e) => e.type === 'response.text.text'), translation, 'translation');
    assert.equal(c.events.find((e) => e.type === 'response.text.done')?.text, translation);
    assert.deepEqual(c.events.find((e) => e.type === 'response.content_part.added')?.part, { type: 'text', text: '' });
    assert.deepEqual(done.response.modalities, ['text']);
    assert.equal(done.response.usage.output_tokens_details.audio_tokens, 0);
    assert.equal(done.response.usage.output_tokens, done.response.usage.output_tokens_details.text_tokens);
  });

  it('two sentences 2 s apart are two utterances answered with the script entries in order', async function () {
    const c = await open({ input_audio_transcription: ASR, translation: { language: 'fr' } });
    const first = speechBuffer(SENTENCE, RAW16);
    const pcm = Buffer.concat([first, silence(2), speechBuffer(SENTENCE_2, RAW16), silence(1.5)]);
    streamPcm(c, pcm);
    await c.waitFor('response.done', 2);
    await settle(200);
    const done = c.events.filter((e) => e.type === 'response.done');
    assert.equal(done.length, 2);
    assert.equal(done[0].response.output[0].content[0].transcript, REPLIES[0].translation);
    assert.equal(done[1].response.output[0].content[0].transcript, REPLIES[1].translation);
    const transcripts = c.events.filter((e) => e.type === 'conversation.item.input_audio_transcription.completed').map((e) => e.transcript);
    assert.deepEqual(transcripts, [SENTENCE, SENTENCE_2]);
    // The second utterance reports the configured source language (its script entry has none).
    assert.equal(c.events.filter((e) => e.type === 'conversation.item.input_audio_transcription.completed')[1].language, 'en');
    const rec = sim.sessions[0];
    assert.equal(rec.utterances.length, 2);
    const secondStartsAt = (first.length / 32000 + 2) * 1000;
    assert.ok(Math.abs(rec.utterances[1].startMs - secondStartsAt) <= 60, `${rec.utterances[1].startMs} vs ${secondStartsAt}`);
    assert.ok(rec.utterances[0].endMs < rec.utterances[1].startMs);
    const starts = c.events.filter((e) => e.type === 'input_audio_buffer.speech_started');
    const commits = c.events.filter((e) => e.type === 'input_audio_buffer.committed');
    assert.equal(commits[1].previous_item_id, starts[0].item_id);
    assert.notEqual(done[0].response.id, done[1].response.id);
    assert.equal(done[0].response.conversation_id, done[1].response.conversation_id);
  });

  it('without a script entry, the generic reply names the utterance, its length and the target', async function () {
    const c = await open({ input_audio_transcription: ASR, translation: { language: 'de' } }, { script: [] });
    streamPcm(c, speechBuffer(SENTENCE_2, { ...RAW16, padEnd: 1.5 }));
    const done = await c.waitFor('response.done');
    const completed = c.events.find((e) => e.type === 'conversation.item.input_audio_transcription.completed');
    const u = sim.sessions[0].utterances[0];
    assert.equal(completed?.transcript, `(speech 1, ${((u.endMs - u.startMs) / 1000).toFixed(1)} s)`);
    assert.equal(done.response.output[0].content[0].transcript, '[de] speech 1');
  });

  it('session.finish flushes a pending utterance, then session.finished, then the server closes', async function () {
    const c = await open({ input_audio_transcription: ASR });
    // No trailing silence: the VAD has not closed the segment when session.finish arrives.
    streamPcm(c, speechBuffer(SENTENCE, RAW16));
    await c.waitFor('input_audio_buffer.speech_started');
    await settle(100);
    assert.ok(!c.types().includes('input_audio_buffer.speech_stopped'));
    c.send({ type: 'session.finish' });
    await c.waitFor('session.finished');
    const types = c.types();
    assert.equal(types[types.length - 1], 'session.finished');
    assert.ok(types.indexOf('conversation.item.input_audio_transcription.completed') < types.indexOf('response.done'));
    assert.ok(types.indexOf('response.done') < types.indexOf('session.finished'));
    assert.equal(sim.sessions[0].finished, true);
    assert.equal(sim.sessions[0].utterances.length, 1);
    // Frames after session.finish are refused.
    c.send({ type: 'input_audio_buffer.append', audio: silence(0.1).toString('base64') });
    const err = await c.waitFor('error');
    assert.equal(err.error.code, 'invalid_state');
    // The client does not close: the server does, about 1 s later.
    assert.equal(await c.closed(), 1000);
    await settle(20);
    assert.equal(sim.sessions[0].closed, true);
  });

  it('session.finish without speech answers session.finished at once', async function () {
    const c = await open({});
    streamPcm(c, silence(1));
    c.send({ type: 'session.finish' });
    await c.waitFor('session.finished');
    assert.deepEqual(c.types(), ['session.created', 'session.updated', 'session.finished']);
  });

  describe('at the service pace (realtime)', function () {
    it('spaces the reply: response ~250 ms after the end, partials ~150 ms apart', async function () {
      const c = await open({ translation: { language: 'fr' } }, { realtime: true, variants: { pace: 'after-speech' } });
      const lag = lagMeter();
      const arrivals: { type: string; t: number }[] = [];
      c.ws.on('message', (d) => arrivals.push({ type: JSON.parse(d.toString()).type, t: Date.now() }));
      streamPcm(c, speechBuffer(SENTENCE_2, { ...RAW16, padEnd: 1 }));
      await c.waitFor('response.done');
      const late = lag.lagMs();
      lag.stop();
      const at = (type: string) => arrivals.filter((a) => a.type === type).map((a) => a.t);
      const stop = at('input_audio_buffer.speech_stopped')[0];
      // Timers never fire early; upper bounds give way by the measured lag of a loaded machine.
      const created = at('response.created')[0] - stop;
      assert.ok(created >= 230 && created < 600 + late, `response.created after ${created} ms (event loop ${late.toFixed(0)} ms late)`);
      const partials = at('response.audio_transcript.text');
      assert.ok(partials.length >= 3, `${partials.length} partials`);
      const gaps = partials.slice(1).map((t, i) => t - partials[i]);
      assert.ok(gaps.every((g) => g >= 120 && g < 400 + late), `gaps ${gaps} (event loop ${late.toFixed(0)} ms late)`);
      assert.ok(at('response.audio.delta').length > 0);
    });

    it('a client closing mid-reply cancels the pending reply; stop() mid-reply leaves no handles', async function () {
      // (Counted after a first await, once mocha's own test timer is armed.)
      await settle(1);
      const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const c = await open({ translation: { language: 'fr' } }, { realtime: true });
      streamPcm(c, speechBuffer(SENTENCE, { ...RAW16, padEnd: 1 }));
      await c.waitFor('response.created');
      const rec = sim.sessions[0];
      await c.close();
      const count = rec.eventsSent.length;
      await settle(500);
      assert.equal(rec.eventsSent.length, count, 'nothing sent after the close');
      assert.ok(!rec.eventsSent.includes('response.done'));
      assert.equal(rec.closed, true);

      // A second client, stopped mid-reply by stop().
      const d = await connectSim(url);
      streamPcm(d, speechBuffer(SENTENCE, { ...RAW16, padEnd: 1 }));
      await d.waitFor('response.created');
      await sim.stop();
      await d.closed();
      await settle(20);
      assert.equal(sim.openSockets(), 0);
      const timers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      assert.ok(timers <= before, `timers left: ${timers} > ${before}`);
      assert.ok(!process.getActiveResourcesInfo().includes('TCPServerWrap'), 'server closed');
    });
  });
});
