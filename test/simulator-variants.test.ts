/**
 * The simulator's variants on the wire: simultaneous partials while speech continues, each partial
 * style, no stash, an empty final, repeated finals, translation before source, failed
 * transcription. Each test streams one espeak sentence over a real socket and reads the events.
 */
import assert from 'node:assert/strict';
import { Simulator, type ScriptedReply, type SimVariants } from '../src/simulator';
import { speechBuffer } from './support/fixtures';
import { connectSim, streamPcm, type Ev, type SimClient } from './support/sim-client';

const SENTENCE = 'Hello, this is a test of the live translation simulator, speaking for a while.';
const TRANSLATION = 'Bonjour, ceci est un test du simulateur de traduction en direct, qui parle un moment.';
const SCRIPT: ScriptedReply[] = [{ transcript: SENTENCE, translation: TRANSLATION }];
const ASR = { model: 'qwen3-asr-flash-realtime', language: 'en' };

describe('simulator variants on the wire', function () {
  let sim: Simulator | undefined;
  let client: SimClient | undefined;

  afterEach(async function () {
    client?.ws.terminate();
    client = undefined;
    await sim?.stop();
    sim = undefined;
  });

  /** One utterance through a simulator with these variants; resolves with every event once it is answered. */
  async function utterance(variants: SimVariants, session: Record<string, unknown> = {}, waitFor = 'response.done', count = 1): Promise<Ev[]> {
    sim = new Simulator({ realtime: false, script: SCRIPT, variants });
    client = await connectSim(await sim.start());
    client.send({ type: 'session.update', session: { input_audio_transcription: ASR, translation: { language: 'fr' }, ...session } });
    await client.waitFor('session.updated');
    streamPcm(client, speechBuffer(SENTENCE, { rate: 16000, type: 'raw', padEnd: 1.5 }));
    await client.waitFor(waitFor, count);
    return client.events;
  }

  const of = (events: Ev[], type: string) => events.filter((e) => e.type === type);
  const index = (events: Ev[], type: string) => events.findIndex((e) => e.type === type);

  it('simultaneous (default): source and translation partials while speech continues, finals after it ends', async function () {
    const events = await utterance({});
    const stopped = index(events, 'input_audio_buffer.speech_stopped');
    const early = events.slice(0, stopped);
    const source = of(early, 'conversation.item.input_audio_transcription.text');
    const translation = of(early, 'response.audio_transcript.text');
    assert.ok(source.length >= 2, `source partials during speech: ${source.length}`);
    assert.ok(translation.length >= 1, `translation partials during speech: ${translation.length}`);
    for (const p of [...source, ...translation]) {
      const line = p.text + p.stash;
      assert.ok((source.includes(p) ? SENTENCE : TRANSLATION).startsWith(line), `${JSON.stringify(line)} is the start of the line`);
      assert.ok(p.text.length > 0);
    }
    assert.ok(translation[0].text.length < TRANSLATION.length, 'never the whole translation before the end');
    assert.ok(index(events, 'response.created') < stopped, 'the response starts while speech continues');
    assert.ok(index(events, 'response.audio.delta') < stopped, 'speech of the confirmed words too');
    assert.ok(index(events, 'conversation.item.input_audio_transcription.completed') > stopped);
    assert.ok(index(events, 'response.audio_transcript.done') > stopped);
    assert.equal(of(events, 'response.audio_transcript.done')[0].transcript, TRANSLATION);
    assert.equal(of(events, 'conversation.item.created').length, 1);
    assert.equal(of(events, 'response.created').length, 1);
  });

  it('after-speech: nothing of the reply before the speaker stops', async function () {
    const events = await utterance({ pace: 'after-speech' });
    const stopped = index(events, 'input_audio_buffer.speech_stopped');
    assert.deepEqual(events.slice(0, stopped).map((e) => e.type), ['session.created', 'session.updated', 'input_audio_buffer.speech_started']);
  });

  it('incremental: each text holds only the newly confirmed words; together they make the line', async function () {
    const events = await utterance({ partials: 'incremental' });
    for (const [type, line] of [['response.audio_transcript.text', TRANSLATION], ['conversation.item.input_audio_transcription.text', SENTENCE]]) {
      const parts = of(events, type);
      assert.ok(parts.length >= 4, `${type}: ${parts.length} partials`);
      assert.equal(parts.map((p) => p.text).join(''), line);
      assert.ok(parts.slice(1).every((p) => !line.startsWith(p.text) || p.text === ''), `${type}: later texts are fragments, not the line so far`);
      assert.ok(parts.every((p) => typeof p.stash === 'string'));
    }
  });

  it('delta: response.audio_transcript.delta events whose deltas make the line, no .text translation events', async function () {
    const events = await utterance({ partials: 'delta' });
    const deltas = of(events, 'response.audio_transcript.delta');
    assert.ok(deltas.length >= 4);
    assert.equal(deltas.map((d) => d.delta).join(''), TRANSLATION);
    assert.equal(of(events, 'response.audio_transcript.text').length, 0);
    assert.ok(deltas.every((d) => d.text === undefined && d.stash === undefined));
  });

  it('delta in text mode: response.text.delta', async function () {
    const events = await utterance({ partials: 'delta' }, { modalities: ['text'] });
    const deltas = of(events, 'response.text.delta');
    assert.ok(deltas.length >= 4);
    assert.equal(deltas.map((d) => d.delta).join(''), TRANSLATION);
    assert.equal(of(events, 'response.text.done')[0].text, TRANSLATION);
  });

  it('no stash: partials carry no stash field', async function () {
    const events = await utterance({ stash: false });
    const partials = [...of(events, 'response.audio_transcript.text'), ...of(events, 'conversation.item.input_audio_transcription.text')];
    assert.ok(partials.length >= 8);
    assert.ok(partials.every((p) => !('stash' in p) && p.text.length > 0));
  });

  it('empty final: a second response whose done is whitespace only', async function () {
    const events = await utterance({ emptyFinal: true }, {}, 'response.done', 2);
    const dones = of(events, 'response.audio_transcript.done');
    assert.equal(dones.length, 2);
    assert.equal(dones[0].transcript, TRANSLATION);
    assert.equal(dones[1].transcript.trim(), '');
    assert.notEqual(dones[0].response_id, dones[1].response_id);
  });

  it('repeated done: the same *.done twice, same response_id', async function () {
    const events = await utterance({ repeatDone: true });
    const dones = of(events, 'response.audio_transcript.done');
    assert.equal(dones.length, 2);
    assert.equal(dones[0].response_id, dones[1].response_id);
    assert.equal(of(events, 'response.done').length, 1);
  });

  it('translation first: response.done before any source transcript event', async function () {
    const events = await utterance({ translationFirst: true }, {}, 'conversation.item.input_audio_transcription.completed');
    const done = index(events, 'response.done');
    assert.ok(done >= 0);
    assert.ok(index(events, 'conversation.item.input_audio_transcription.text') > done);
    assert.equal(of(events, 'conversation.item.input_audio_transcription.completed')[0].transcript, SENTENCE);
  });

  it('transcription fails: …transcription.failed for the source item, no source text, the translation still comes', async function () {
    const events = await utterance({ transcriptionFails: true });
    await client!.waitFor('conversation.item.input_audio_transcription.failed');
    const failed = of(client!.events, 'conversation.item.input_audio_transcription.failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].item_id, of(events, 'input_audio_buffer.speech_started')[0].item_id);
    assert.equal(typeof failed[0].error.message, 'string');
    assert.equal(of(client!.events, 'conversation.item.input_audio_transcription.text').length, 0);
    assert.equal(of(client!.events, 'conversation.item.input_audio_transcription.completed').length, 0);
    assert.equal(of(events, 'response.audio_transcript.done')[0].transcript, TRANSLATION);
  });

  it('refuses an unknown variant value', function () {
    assert.throws(() => new Simulator({ variants: { partials: 'sideways' as never } }), /partials must be one of/);
    assert.throws(() => new Simulator({ variants: { updateEveryMs: 10 } }), /at least 200/);
  });
});
