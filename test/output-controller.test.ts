/**
 * translation-out's controller without Node-RED: a flood of events through the real message
 * mapping and output guard stays bounded with the right final text; service errors reach Catch.
 * Fake timers: no wall clock.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { TranslationOutController } from '../src/output/translation-out-controller';
import type { OutMessage } from '../src/output/translation-messages';
import type { ServerEvent } from '../src/protocol';

describe('output/translation-out-controller without Node-RED', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => { clock = sinon.useFakeTimers({ now: 5_000_000 }); });
  afterEach(() => clock.restore());

  function recorder() {
    const r = { sent: [] as Array<Array<OutMessage | null>>, warnings: [] as string[], errors: [] as string[] };
    return { r, node: { send: (m: Array<OutMessage | null>) => r.sent.push(m), warn: (m: string) => r.warnings.push(m), error: (m: string) => r.errors.push(m) } };
  }
  const ev = (x: Record<string, unknown>) => ({ event_id: 'e', ...x }) as unknown as ServerEvent;
  const ref = { response_id: 'r1', item_id: 'i1', output_index: 0, content_index: 0 };

  it('a flood of partial and audio events: messages bounded, final text right, the cap warned once', () => {
    const { r, node } = recorder();
    const c = new TranslationOutController(node, { partials: true, audioFormat: 'wav', maxUtteranceSeconds: 2 });
    const chunk = Buffer.alloc(4800, 1).toString('base64'); // 0.1 s
    for (let i = 0; i < 20000; i++) {
      c.event(ev({ type: 'response.audio_transcript.text', ...ref, text: 'w'.repeat(i % 50 + 1) }));
      c.event(ev({ type: 'response.audio.delta', ...ref, delta: chunk }));
      if (i % 100 === 0) clock.tick(10); // 2 s of time for the whole flood
    }
    c.event(ev({ type: 'response.audio_transcript.done', ...ref, transcript: 'the final line' }));
    c.event(ev({ type: 'response.done', response: { id: 'r1', status: 'completed' } }));
    clock.tick(1000);
    const on = (p: number) => r.sent.map((m) => m[p]).filter((m): m is OutMessage => !!m);
    assert.ok(on(0).length <= 10 + 2 * 10 + 2, `${on(0).length} text messages`);
    assert.ok(on(0).length >= 3);
    assert.deepEqual(on(0).filter((m) => m.partial === false).map((m) => m.payload), ['the final line']);
    const wavs = on(2);
    assert.equal(wavs.reduce((s, m) => s + (m.duration as number), 0), 2000, 'every 0.1 s chunk in a WAV, none lost');
    assert.equal(r.warnings.filter((w) => /reached 2 s/.test(w)).length, 1);
    c.close();
    assert.equal(clock.countTimers(), 0);
  });

  it('a service error reaches the events output and Catch; a malformed event does not throw', () => {
    const { r, node } = recorder();
    const c = new TranslationOutController(node, { partials: true, audioFormat: 'pcm' });
    c.event(ev({ type: 'error', error: { type: 'invalid_request_error', code: 'invalid_value', message: 'bad' } }));
    assert.deepEqual(r.errors, ['service error invalid_value: bad']);
    assert.equal(r.sent[0][3]!.topic, 'error');
    c.event(ev({ type: 'session.updated', session: null }));
    c.event(ev({ type: 'response.done', response: null }));
    assert.deepEqual(r.sent.slice(1).map((m) => m[3]!.topic), ['session.updated', 'response.done']);
    c.close();
  });
});
