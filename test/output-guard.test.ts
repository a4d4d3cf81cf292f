/**
 * What translation-out sends stays bounded whatever the server sends: partials coalesced to the
 * latest line at ≤ 10/s per output, audio within a budget with drops counted and reported, events
 * per topic; and an utterance's WAV is capped. Fake timers: no wall clock.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { OutputGuard } from '../src/output/output-guard';
import { TranslatedAudio } from '../src/output/audio-out';
import { PORT, type Outgoing } from '../src/output/translation-messages';
import { parseWavHeader } from '../src/media/audio';

const partial = (line: string, responseId = 'r1'): Outgoing => ({ port: PORT.translation, msg: { topic: 'translation', payload: line, partial: true, responseId } });
const final = (line: string, responseId = 'r1'): Outgoing => ({ port: PORT.translation, msg: { topic: 'translation', payload: line, partial: false, responseId } });
const pcmChunk = (seconds: number): Outgoing => ({ port: PORT.audio, msg: { topic: 'audio', payload: Buffer.alloc(Math.round(seconds * 24000) * 2), sampleRate: 24000 } });

describe('output/output-guard OutputGuard', () => {
  let clock: sinon.SinonFakeTimers;
  let sent: Outgoing[];
  let guard: OutputGuard;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000 });
    sent = [];
    guard = new OutputGuard((o) => sent.push(o));
  });
  afterEach(() => {
    guard.close();
    clock.restore();
  });

  it('1,000 partials in one second: at most 10 a second (after a burst of 10) leave, the last carrying the latest line', () => {
    for (let i = 1; i <= 1000; i++) {
      guard.push([partial('word '.repeat(i))]);
      clock.tick(1);
    }
    clock.tick(200);
    assert.ok(sent.length >= 10 && sent.length <= 10 + 12 + 1, `${sent.length} sent`);
    assert.equal(sent[sent.length - 1].msg.payload, 'word '.repeat(1000));
    assert.equal(clock.countTimers(), 0, 'nothing left scheduled');
  });

  it('a final goes out at once and a pending partial of its line never follows it', () => {
    for (let i = 0; i < 10; i++) guard.push([partial('burst')]);
    sent.length = 0;
    guard.push([partial('a')]);
    guard.push([partial('a b')]);
    guard.push([final('a b c')]);
    clock.tick(1000);
    // The burst spent, 'a' and 'a b' waited their turn; the final replaced them.
    assert.deepEqual(sent.map((o) => [o.msg.partial, o.msg.payload]), [[false, 'a b c']]);
  });

  it('partials of two lines each keep their latest; outputs are limited separately', () => {
    for (let i = 0; i < 10; i++) guard.push([partial('burst', 'r0'), { port: PORT.source, msg: { topic: 'transcript', payload: 'burst', partial: true, itemId: 'i0' } }]);
    assert.equal(sent.length, 20);
    clock.tick(100);
    sent.length = 0;
    guard.push([partial('a1', 'ra'), partial('b1', 'rb'), partial('a2', 'ra'), partial('b2', 'rb')]);
    guard.push([{ port: PORT.source, msg: { topic: 'transcript', payload: 's', partial: true, itemId: 'i1' } }]);
    clock.tick(1000);
    // b's line waited first, so it goes first, with its latest text.
    assert.deepEqual(sent.map((o) => o.msg.payload), ['a1', 's', 'b2', 'a2']);
  });

  it('audio within the budget passes whole; a flood is dropped, counted and reported once a second', () => {
    const reports: unknown[] = [];
    guard.close();
    guard = new OutputGuard((o) => sent.push(o), {}, undefined, (r) => reports.push(r));
    // 10 min of speech in 1 s chunks at once: the burst allowance.
    for (let i = 0; i < 600; i++) guard.push([pcmChunk(1)]);
    assert.equal(sent.length, 600);
    for (let i = 0; i < 100; i++) guard.push([pcmChunk(1)]);
    assert.equal(sent.length, 600);
    clock.tick(1000);
    const report = sent.filter((o) => o.msg.topic === 'throttled');
    assert.equal(report.length, 1);
    assert.equal((report[0].msg.payload as { audioChunks: number }).audioChunks, 100);
    assert.equal(reports.length, 1);
    // The budget refills: 60 s of audio per second.
    for (let i = 0; i < 60; i++) guard.push([pcmChunk(1)]);
    assert.equal(sent.filter((o) => o.port === PORT.audio).length, 660);
  });

  it('a whole-utterance WAV is never dropped', () => {
    for (let i = 0; i < 700; i++) guard.push([pcmChunk(1)]);
    guard.push([{ port: PORT.audio, msg: { topic: 'audio', payload: Buffer.alloc(10), duration: 300 } }]);
    assert.equal(sent.filter((o) => o.msg.duration === 300).length, 1);
  });

  it('events output: at most twice the rate per topic at once, state always', () => {
    for (let i = 0; i < 1000; i++) guard.push([{ port: PORT.events, msg: { topic: 'response.created', payload: i } }]);
    for (let i = 0; i < 5; i++) guard.push([{ port: PORT.events, msg: { topic: 'state', payload: i } }]);
    assert.equal(sent.filter((o) => o.msg.topic === 'response.created').length, 20);
    assert.equal(sent.filter((o) => o.msg.topic === 'state').length, 5);
    clock.tick(1000);
    const [report] = sent.filter((o) => o.msg.topic === 'throttled');
    assert.deepEqual((report.msg.payload as { events: object }).events, { 'response.created': 980 });
  });

  it('ever-new unknown event types are bounded together', () => {
    for (let i = 0; i < 1000; i++) guard.push([{ port: PORT.events, msg: { topic: 'x.' + i, payload: i } }]);
    assert.ok(sent.length <= 100, `${sent.length} sent`);
    assert.ok(sent.length >= 20);
  });

  it('close stops every timer', () => {
    guard.push([partial('a'), partial('a b')]);
    for (let i = 0; i < 700; i++) guard.push([pcmChunk(1)]);
    assert.ok(clock.countTimers() > 0);
    guard.close();
    assert.equal(clock.countTimers(), 0);
  });
});

describe('output/audio-out TranslatedAudio: an utterance is capped', () => {
  const delta = (seconds: number) => Buffer.alloc(Math.round(seconds * 24000) * 2, 1).toString('base64');

  it('a WAV reaching the cap goes out with what was collected, once warned; the rest follows', () => {
    const caps: number[] = [];
    const a = new TranslatedAudio('wav', 24000, { maxUtteranceSeconds: 1, onCap: (_r, s) => caps.push(s) });
    const out = [];
    for (let i = 0; i < 10; i++) out.push(...a.delta('r1', 'i1', delta(0.25), {}));
    assert.equal(out.length, 2);
    assert.deepEqual(out.map((m) => [m.duration, m.capped, m.part]), [[1, true, 1], [1, true, 2]]);
    assert.equal(parseWavHeader(out[0].payload as Buffer).dataLength, 48000);
    const rest = a.done('r1');
    assert.deepEqual(rest.map((m) => [m.duration, m.part]), [[0.5, 3]]);
    assert.deepEqual(caps, [1], 'warned once for the response');
  });

  it('the default cap is 5 minutes of 24 kHz speech', () => {
    const a = new TranslatedAudio('dataurl', 24000);
    const out = [];
    for (let i = 0; i < 301; i++) out.push(...a.delta('r1', 'i1', delta(1), {}));
    assert.equal(out.length, 1);
    assert.equal(out[0].duration, 300);
    assert.match(out[0].payload as string, /^data:audio\/wav;base64,/);
  });

  it('responses never finished: at most 8 are collected at once, the oldest sent', () => {
    const a = new TranslatedAudio('wav', 24000);
    const out = [];
    for (let i = 0; i < 20; i++) out.push(...a.delta('r' + i, 'i', delta(0.1), {}));
    assert.deepEqual(out.map((m) => m.responseId), ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11']);
  });
});
