/**
 * Source transcript and translation of one utterance are paired right in every order the
 * service may send them: translation first, a source completing after the next utterance
 * started, a failed transcription, and with or without the conversation.item.created link.
 */
import assert from 'node:assert/strict';
import { TranslationMessages, type Outgoing } from '../src/output/translation-messages';
import type { ServerEvent } from '../src/protocol';

const e = (x: Record<string, unknown>) => ({ event_id: 'event_x', ...x }) as unknown as ServerEvent;
const T = 'conversation.item.input_audio_transcription';
const started = (n: number) => e({ type: 'input_audio_buffer.speech_started', audio_start_ms: n * 1000, item_id: `src${n}` });
const partialSrc = (n: number) => e({ type: `${T}.text`, item_id: `src${n}`, content_index: 0, text: '', stash: `source ${n}` });
const completed = (n: number) => e({ type: `${T}.completed`, item_id: `src${n}`, content_index: 0, transcript: `source ${n}` });
const failed = (n: number) => e({ type: `${T}.failed`, item_id: `src${n}`, content_index: 0, error: { code: 'asr_failed', message: 'no speech' } });
const link = (n: number) => e({ type: 'conversation.item.created', previous_item_id: `src${n}`, item: { id: `tr${n}` } });
const translated = (n: number) => e({ type: 'response.text.done', response_id: `resp${n}`, item_id: `tr${n}`, output_index: 0, content_index: 0, text: `translation ${n}` });

function run(events: ServerEvent[], transcription = true): Outgoing[] {
  const m = new TranslationMessages({ partials: true, audioFormat: 'pcm' });
  const asr = transcription ? { model: 'qwen3-asr-flash-realtime', language: 'en' } : undefined;
  m.handle(e({ type: 'session.updated', session: { translation: { language: 'ja' }, input_audio_transcription: asr } }));
  return events.flatMap((x) => m.handle(x));
}

/** Every final as [utterance, own text, the other side's text]. */
function finals(out: Outgoing[]): { source: unknown[][]; translation: unknown[][] } {
  const f = out.filter((o) => o.msg.partial === false);
  return {
    source: f.filter((o) => o.port === 1).map((o) => [o.msg.utterance, o.msg.payload, o.msg.translation]),
    translation: f.filter((o) => o.port === 0).map((o) => [o.msg.utterance, o.msg.payload, o.msg.source]),
  };
}

describe('output: source and translation pairing', () => {
  it('in order: the translation carries its source', () => {
    const f = finals(run([started(1), completed(1), translated(1), started(2), completed(2), translated(2)]));
    assert.deepEqual(f.translation, [[1, 'translation 1', 'source 1'], [2, 'translation 2', 'source 2']]);
    assert.deepEqual(f.source, [[1, 'source 1', undefined], [2, 'source 2', undefined]]);
  });

  it('translation before its source completed: the source carries the translation', () => {
    const f = finals(run([started(1), partialSrc(1), translated(1), completed(1), started(2), translated(2), completed(2)]));
    assert.deepEqual(f.translation, [[1, 'translation 1', undefined], [2, 'translation 2', undefined]]);
    assert.deepEqual(f.source, [[1, 'source 1', 'translation 1'], [2, 'source 2', 'translation 2']]);
  });

  it('translation before any source event at all (no partials, no speech events)', () => {
    const f = finals(run([translated(1), completed(1), translated(2), completed(2)]));
    assert.deepEqual(f.source, [[1, 'source 1', 'translation 1'], [2, 'source 2', 'translation 2']]);
    assert.deepEqual(f.translation.map((t) => t[0]), [1, 2]);
  });

  it('a source completing after the next utterance started, even after the next one completed', () => {
    const f = finals(run([
      started(1), started(2), partialSrc(2), completed(2), translated(1), completed(1), translated(2),
    ]));
    assert.deepEqual(f.source, [[2, 'source 2', undefined], [1, 'source 1', 'translation 1']]);
    assert.deepEqual(f.translation, [[1, 'translation 1', undefined], [2, 'translation 2', 'source 2']]);
  });

  it('a failed transcription keeps its place: the next translation is not paired with the wrong source', () => {
    const f = finals(run([
      started(1), failed(1), translated(1), started(2), completed(2), translated(2), started(3), translated(3), completed(3),
    ]));
    assert.deepEqual(f.translation, [[1, 'translation 1', undefined], [2, 'translation 2', 'source 2'], [3, 'translation 3', undefined]]);
    assert.deepEqual(f.source, [[2, 'source 2', undefined], [3, 'source 3', 'translation 3']]);
  });

  it('a failed transcription arriving after its translation', () => {
    const f = finals(run([translated(1), failed(1), translated(2), completed(2)]));
    assert.deepEqual(f.source, [[2, 'source 2', 'translation 2']]);
  });

  it('with conversation.item.created links: a source with no transcription events at all does not shift the pairs', () => {
    const f = finals(run([
      started(1), link(1), completed(1), translated(1),
      started(2), link(2), translated(2), // utterance 2's transcription never comes
      started(3), link(3), completed(3), translated(3),
    ]));
    assert.deepEqual(f.translation.map((t) => t.slice(1)), [['translation 1', 'source 1'], ['translation 2', undefined], ['translation 3', 'source 3']]);
  });

  it('transcription off: translations are numbered and never wait for a source', () => {
    const f = finals(run([started(1), translated(1), started(2), translated(2)], false));
    assert.deepEqual(f.translation, [[1, 'translation 1', undefined], [2, 'translation 2', undefined]]);
  });

  it('a side that never arrives keeps memory bounded and later pairs right', () => {
    const many: ServerEvent[] = [];
    for (let n = 1; n <= 500; n++) many.push(completed(n));
    const out = run(many);
    assert.equal(finals(out).source.length, 500);
  });
});

describe('output: pairing with empty finals', () => {
  it('an empty source and an empty translation of one utterance take its place together', () => {
    const emptySrc = e({ type: `${T}.completed`, item_id: 'src1', content_index: 0, transcript: ' ' });
    const emptyTr = e({ type: 'response.text.done', response_id: 'resp1', item_id: 'tr1', output_index: 0, content_index: 0, text: '' });
    const f = finals(run([emptySrc, emptyTr, completed(2), translated(2), translated(3), completed(3)]));
    assert.deepEqual(f.translation, [[2, 'translation 2', 'source 2'], [3, 'translation 3', undefined]]);
    assert.deepEqual(f.source, [[2, 'source 2', undefined], [3, 'source 3', 'translation 3']]);
  });
});
