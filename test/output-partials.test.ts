/**
 * Partial texts carry the whole line so far (settled + tentative tail) whatever style the service
 * uses, and finals are emitted once per response, never for an empty text.
 */
import assert from 'node:assert/strict';
import { TranslationMessages, type Outgoing } from '../src/output/translation-messages';
import { PartialLines } from '../src/output/partial-line';
import type { ServerEvent } from '../src/protocol';

const ref = (r: string) => ({ response_id: r, item_id: 'item_' + r, output_index: 0, content_index: 0 });
const e = (x: Record<string, unknown>) => ({ event_id: 'event_x', ...x }) as unknown as ServerEvent;

function feed(events: ServerEvent[], partials = true): Outgoing[] {
  const m = new TranslationMessages({ partials, audioFormat: 'pcm' });
  m.handle(e({ type: 'session.updated', session: { translation: { language: 'ja' }, input_audio_transcription: { model: 'qwen3-asr-flash-realtime', language: 'en' } } }));
  return events.flatMap((x) => m.handle(x));
}
const payloads = (out: Outgoing[], port: number, partial?: boolean) =>
  out.filter((o) => o.port === port && (partial === undefined || o.msg.partial === partial)).map((o) => o.msg.payload);

const WORDS = ['[ja] utterance', ' 1', ' translated'];
const cumulative = (type: string, r: string, stash: (i: number) => unknown) =>
  WORDS.map((_, i) => e({ type, ...ref(r), text: WORDS.slice(0, i + 1).join(''), stash: stash(i) }));
const incremental = (type: string, r: string, stash: (i: number) => unknown) =>
  WORDS.map((w, i) => e({ type, ...ref(r), text: w, stash: stash(i) }));
const noStash = () => undefined;

describe('output: partial translations are the whole line so far', () => {
  for (const type of ['response.audio_transcript.text', 'response.text.text']) {
    it(`${type}: cumulative text, stash missing`, () => {
      assert.deepEqual(payloads(feed(cumulative(type, 'r1', noStash)), 0, true), ['[ja] utterance', '[ja] utterance 1', '[ja] utterance 1 translated']);
    });
    it(`${type}: incremental text, stash missing`, () => {
      assert.deepEqual(payloads(feed(incremental(type, 'r1', noStash)), 0, true), ['[ja] utterance', '[ja] utterance 1', '[ja] utterance 1 translated']);
    });
  }

  it('cumulative text with a stash: payload is text + stash, text the settled part', () => {
    const out = feed(cumulative('response.audio_transcript.text', 'r1', (i) => (i < 2 ? ' tentative' : '')));
    assert.deepEqual(payloads(out, 0, true), ['[ja] utterance tentative', '[ja] utterance 1 tentative', '[ja] utterance 1 translated']);
    assert.deepEqual(out.map((o) => o.msg.text), ['[ja] utterance', '[ja] utterance 1', '[ja] utterance 1 translated']);
    assert.deepEqual(out.map((o) => o.msg.stash), [' tentative', ' tentative', '']);
  });

  it('incremental text with a stash: settled fragments accumulate, the stash is the tail', () => {
    const out = feed(incremental('response.audio_transcript.text', 'r1', (i) => [' utter', ' 1 tr', ''][i]));
    assert.deepEqual(payloads(out, 0, true), ['[ja] utterance utter', '[ja] utterance 1 1 tr', '[ja] utterance 1 translated']);
  });

  it('stash only, with an empty text, then text arriving', () => {
    const out = feed([
      e({ type: 'response.text.text', ...ref('r1'), text: '', stash: 'Hello' }),
      e({ type: 'response.text.text', ...ref('r1'), text: 'Hello,', stash: ' who' }),
      e({ type: 'response.text.text', ...ref('r1'), text: 'Hello, who are you?', stash: '' }),
    ]);
    assert.deepEqual(payloads(out, 0, true), ['Hello', 'Hello, who', 'Hello, who are you?']);
  });

  for (const type of ['response.audio_transcript.delta', 'response.text.delta']) {
    it(`${type}: delta fragments are appended`, () => {
      const out = feed(WORDS.map((w) => e({ type, ...ref('r1'), delta: w })));
      assert.deepEqual(payloads(out, 0, true), ['[ja] utterance', '[ja] utterance 1', '[ja] utterance 1 translated']);
    });
  }

  it('two responses in flight keep their own lines and styles', () => {
    const a = cumulative('response.text.text', 'ra', noStash);
    const b = incremental('response.text.text', 'rb', noStash);
    const out = feed([a[0], b[0], a[1], b[1], a[2], b[2]]);
    const line = (r: string) => out.filter((o) => o.msg.responseId === r).map((o) => o.msg.payload);
    assert.deepEqual(line('ra'), ['[ja] utterance', '[ja] utterance 1', '[ja] utterance 1 translated']);
    assert.deepEqual(line('rb'), ['[ja] utterance', '[ja] utterance 1', '[ja] utterance 1 translated']);
  });

  it('an empty or whitespace-only done is ignored, a repeated done is sent once', () => {
    const out = feed([
      e({ type: 'response.text.done', ...ref('r0'), text: '' }),
      e({ type: 'response.text.done', ...ref('r0'), text: '  \n' }),
      ...cumulative('response.text.text', 'r1', noStash),
      e({ type: 'response.text.done', ...ref('r1'), text: '[ja] utterance 1 translated' }),
      e({ type: 'response.text.done', ...ref('r1'), text: '[ja] utterance 1 translated' }),
      e({ type: 'response.audio_transcript.done', ...ref('r1'), transcript: '[ja] utterance 1 translated' }),
      e({ type: 'response.done', response: { id: 'r1', status: 'completed' } }),
      e({ type: 'response.text.done', ...ref('r1'), text: '[ja] utterance 1 translated' }),
      // A partial after the final is stale and dropped.
      e({ type: 'response.text.text', ...ref('r1'), text: '[ja] utterance 1 translated again' }),
    ]);
    assert.deepEqual(payloads(out, 0, false), ['[ja] utterance 1 translated']);
    assert.equal(payloads(out, 0, true).length, 3);
  });

  it('an empty done does not swallow the real final that follows it', () => {
    const out = feed([
      e({ type: 'response.text.done', ...ref('r1'), text: ' ' }),
      e({ type: 'response.text.done', ...ref('r1'), text: 'late but real' }),
    ]);
    assert.deepEqual(payloads(out, 0, false), ['late but real']);
  });

  it('partials off: only finals', () => {
    const out = feed([...incremental('response.text.text', 'r1', noStash), e({ type: 'response.text.done', ...ref('r1'), text: 'x y' })], false);
    assert.deepEqual(out.filter((o) => o.port === 0).map((o) => o.msg.partial), [false]);
  });
});

describe('output: partial source transcripts are the whole line so far', () => {
  const src = (x: Record<string, unknown>) => e({ item_id: 'item_src1', content_index: 0, language: 'en', ...x });
  const T = 'conversation.item.input_audio_transcription.text';
  const cases: Record<string, ServerEvent[]> = {
    'cumulative, no stash': ['Good', 'Good morning', 'Good morning everyone'].map((text) => src({ type: T, text })),
    'incremental, no stash': ['Good', ' morning', ' everyone'].map((text) => src({ type: T, text })),
    'incremental, empty stash': ['Good', ' morning', ' everyone'].map((text) => src({ type: T, text, stash: '' })),
    'delta events': ['Good', ' morning', ' everyone'].map((delta) => src({ type: 'conversation.item.input_audio_transcription.delta', delta })),
  };
  for (const [name, events] of Object.entries(cases)) {
    it(name, () => {
      assert.deepEqual(payloads(feed(events), 1, true), ['Good', 'Good morning', 'Good morning everyone']);
    });
  }

  it('stash as the tentative tail, from an empty text', () => {
    const out = feed([
      src({ type: T, text: '', stash: 'The weather is' }),
      src({ type: T, text: 'The weather is', stash: ' nice' }),
      src({ type: 'conversation.item.input_audio_transcription.completed', transcript: 'The weather is nice today.' }),
      src({ type: 'conversation.item.input_audio_transcription.completed', transcript: 'The weather is nice today.' }),
    ]);
    assert.deepEqual(payloads(out, 1, true), ['The weather is', 'The weather is nice']);
    assert.deepEqual(payloads(out, 1, false), ['The weather is nice today.'], 'a repeated completed is sent once');
  });
});

describe('output/partial-line PartialLines', () => {
  it('keeps a style once decided: a fragment that repeats the previous one is still appended', () => {
    const p = new PartialLines();
    p.text('k', 'ha', '');
    assert.equal(p.text('k', ' ho', '').style, 'incremental');
    assert.equal(p.text('k', ' ho', '').text, 'ha ho ho');
  });
  it('a cumulative line that revises its settled text is replaced, not appended', () => {
    const p = new PartialLines();
    p.text('k', 'I saw', '');
    p.text('k', 'I saw the', '');
    const l = p.text('k', 'I sawed', '');
    assert.equal(l.style, 'cumulative');
    assert.equal(l.text, 'I sawed');
  });
  it('remembers a bounded number of unfinished lines', () => {
    const p = new PartialLines();
    for (let i = 0; i < 1000; i++) p.text('k' + i, 'x', '');
    assert.equal(p.get('k0'), undefined);
    assert.ok(p.get('k999'));
  });
});
