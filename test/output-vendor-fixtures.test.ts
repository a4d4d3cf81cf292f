/**
 * Server events written by hand from the vendor's documentation (test/fixtures/vendor/README.md),
 * replayed through the parser and the output mapping: a rule our client and simulator share
 * wrongly would fail here.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseServerFrame } from '../src/protocol';
import { TranslationMessages, type Outgoing } from '../src/output/translation-messages';

const DIR = join(__dirname, 'fixtures', 'vendor');

function replay(file: string, partials = true): Outgoing[] {
  const m = new TranslationMessages({ partials, audioFormat: 'wav' });
  const out: Outgoing[] = [];
  for (const line of readFileSync(join(DIR, file), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const parsed = parseServerFrame(line);
    assert.equal(parsed.kind, 'event', `${file}: ${line.slice(0, 80)} parses as a known event`);
    if (parsed.kind === 'event') out.push(...m.handle(parsed.event));
  }
  return out;
}
const on = (out: Outgoing[], port: number, partial?: boolean) =>
  out.filter((o) => o.port === port && (partial === undefined || o.msg.partial === partial));
const payloads = (out: Outgoing[], port: number, partial?: boolean) => on(out, port, partial).map((o) => o.msg.payload);

describe('output: vendor documentation fixtures', () => {
  it('every fixture file is listed in the README and parses fully', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.jsonl'));
    assert.ok(files.length >= 7);
    const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
    for (const f of files) {
      assert.ok(readme.includes('`' + f + '`'), `${f} described`);
      assert.ok(replay(f).length > 0, `${f} produces messages`);
    }
  });

  it('session.created and the documented error reach the events output', () => {
    const out = replay('session-and-error.jsonl');
    assert.deepEqual(on(out, 3).map((o) => o.msg.topic), ['session.created', 'error']);
    const err = on(out, 3)[1].msg.payload as { code: string; param: string };
    assert.equal(err.code, 'invalid_value');
    assert.equal(err.param, 'session.modalities');
  });

  it('cumulative text with stash: each partial is the whole line, the final once, audio as one WAV', () => {
    const out = replay('text-audio-cumulative.jsonl');
    assert.deepEqual(payloads(out, 0, true), ['早上好，各位。欢迎来到季度', '早上好，各位。欢迎来到季度会议。', '早上好，各位。欢迎来到季度会议。']);
    assert.deepEqual(on(out, 0, true).map((o) => o.msg.stash), ['欢迎来到季度', '会议。', '']);
    assert.deepEqual(payloads(out, 0, false), ['早上好，各位。欢迎来到季度会议。']);
    assert.equal(on(out, 0, false)[0].msg.language, 'en');
    const audio = on(out, 2);
    assert.equal(audio.length, 1);
    assert.equal(audio[0].msg.duration, 10 / 24000, 'the two deltas: 10 samples at 24 kHz');
    const done = on(out, 3).find((o) => o.msg.topic === 'response.done');
    assert.equal((done!.msg.payload as { usage: { total_tokens: number } }).usage.total_tokens, 56);
  });

  it('incremental text as the flow table describes it: partials still carry the whole line', () => {
    const out = replay('text-audio-incremental.jsonl');
    assert.deepEqual(payloads(out, 0, true), ['医療用', '医療用マスクとは', '医療用マスクとは何ですか?']);
    assert.deepEqual(payloads(out, 0, false), ['医療用マスクとは何ですか?']);
    assert.equal(on(out, 0, false)[0].msg.language, 'ja');
  });

  it('text only, no stash', () => {
    const out = replay('text-only-no-stash.jsonl');
    assert.deepEqual(payloads(out, 0, true), ['Hello,', 'Hello, who are you?']);
    assert.deepEqual(on(out, 0, true).map((o) => o.msg.stash), ['', '']);
    assert.deepEqual(payloads(out, 0, false), ['Hello, who are you?']);
    assert.equal(on(out, 2).length, 0, 'no audio in text-only mode');
  });

  it('source transcript: stash-only first partial, language and emotion, then paired with its translation', () => {
    const out = replay('source-transcript.jsonl');
    assert.deepEqual(payloads(out, 1, true), ['The weather is', 'The weather is nice today']);
    const [final] = on(out, 1, false);
    assert.equal(final.msg.payload, 'The weather is nice today.');
    assert.equal(final.msg.language, 'en');
    assert.equal(final.msg.emotion, 'happy');
    assert.deepEqual(payloads(out, 0, true), ['今天天气很好。']);
    const [tr] = on(out, 0, false);
    assert.equal(tr.msg.payload, '今天天气很好。');
    assert.equal(tr.msg.source, 'The weather is nice today.');
    assert.equal(tr.msg.utterance, final.msg.utterance);
  });

  it('delta events from the Java sample build the line', () => {
    const out = replay('delta-events.jsonl');
    assert.deepEqual(payloads(out, 0, true), ['What is', 'What is a mask', 'What is a mask?']);
    assert.deepEqual(payloads(out, 0, false), ['What is a mask?']);
  });

  it('a whitespace-only final is ignored and a repeated final sent once', () => {
    const out = replay('empty-and-repeated-done.jsonl');
    assert.deepEqual(payloads(out, 0), ['Good morning.']);
    assert.equal(on(out, 3).filter((o) => o.msg.topic === 'response.done').length, 1);
  });
});
