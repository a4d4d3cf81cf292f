import assert from 'node:assert/strict';
import { receiveFrame } from '../src/client/receive';
import { mayNeedRedaction } from '../src/client/redact';

const KEY = 'sk-receive0123456789';
const received = (text: string) => receiveFrame(Buffer.from(text, 'utf8'), false, KEY);

describe('receive path: masking the key in parsed frames', function () {
  it('masks the key however the frame writes it: verbatim, JSON-escaped, as a key, behind "Bearer"', function () {
    const escaped = `\\u${KEY.charCodeAt(0).toString(16).padStart(4, '0')}${KEY.slice(1)}`;
    const frames = [
      `{"type":"response.text.text","response_id":"r","item_id":"i","text":"key ${KEY}","stash":""}`,
      `{"type":"response.text.text","response_id":"r","item_id":"i","text":"key ${escaped}","stash":""}`,
      `{"type":"response.text.text","response_id":"r","item_id":"i","text":"ok","${KEY}":1}`,
      `{"type":"response.text.text","response_id":"r","item_id":"i","text":"Authorization: Bearer abc.def","stash":""}`,
      `{"type":"response.echo","echo":"${escaped}","nested":[{"x":"bearer zzz"}]}`,
    ];
    for (const f of frames) {
      const r = received(f);
      assert.notEqual(r.kind, 'problem', f);
      const out = JSON.stringify(r);
      assert.ok(!out.includes(KEY.slice(1)), `the key came through: ${out}`);
      assert.ok(!/bearer\s+(abc|zzz)/i.test(out), `the token came through: ${out}`);
      assert.match(out, /\*\*\*/, f);
    }
  });

  it('passes a frame with nothing to mask through unchanged', function () {
    const text = '{"type":"response.text.text","response_id":"r","item_id":"i","text":"こんにちは","stash":"…"}';
    assert.equal(mayNeedRedaction(text, KEY), false);
    const r = received(text);
    assert.equal(r.kind, 'event');
    assert.deepEqual((r as { event: unknown }).event, JSON.parse(text));
  });

  it('walks any frame with an escape, the key, or "bearer" in it', function () {
    assert.equal(mayNeedRedaction('{"text":"a\\"b"}', KEY), true);
    assert.equal(mayNeedRedaction(`{"text":"${KEY}"}`, KEY), true);
    assert.equal(mayNeedRedaction('{"text":"BEARER"}', KEY), true);
    assert.equal(mayNeedRedaction('{"text":"plain"}', KEY), false);
    // A key too short to mask is never masked, so it never calls for a walk.
    assert.equal(mayNeedRedaction('{"text":"abc"}', 'abc'), false);
  });
});
