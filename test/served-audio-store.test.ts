/**
 * The store behind audio by URL: bounded by age, count and bytes, oldest out first, ids that cannot
 * be guessed; and the Range header as players send it.
 */
import assert from 'node:assert/strict';
import { AudioStore, AUDIO_ID_PATTERN } from '../src/media/audio-store';
import { parseRange } from '../src/output/served-audio/http-range';

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('audio store', function () {
  it('gives each file a fresh 128-bit random id and serves it back until it expires', function () {
    const c = clock();
    const store = new AudioStore({ maxAgeMs: 60_000, maxCount: 1000, maxBytes: 1 << 20, now: c.now });
    const ids = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const f = store.put(Buffer.from([i & 255]), 'audio/wav', 'wav');
      assert.match(f.id, AUDIO_ID_PATTERN);
      ids.add(f.id);
    }
    assert.equal(ids.size, 500, 'ids repeat');
    const first = store.put(Buffer.from('RIFF'), 'audio/wav', 'wav');
    assert.deepEqual(store.get(first.id)?.body, Buffer.from('RIFF'));
    assert.equal(first.expires, c.t + 60_000);
    c.t += 59_999;
    assert.ok(store.get(first.id), 'gone before its time');
    c.t += 1;
    assert.equal(store.get(first.id), undefined, 'still served after expiry');
    assert.equal(store.size, 0, 'expired files still held');
    assert.equal(store.totalBytes, 0);
  });

  it('keeps at most maxCount files, dropping the oldest', function () {
    const store = new AudioStore({ maxAgeMs: 60_000, maxCount: 3, maxBytes: 1 << 20 });
    const f = [0, 1, 2, 3, 4].map((i) => store.put(Buffer.alloc(10, i), 'audio/wav', 'wav'));
    assert.equal(store.size, 3);
    assert.equal(store.get(f[0].id), undefined);
    assert.equal(store.get(f[1].id), undefined);
    for (const kept of f.slice(2)) assert.ok(store.get(kept.id));
    assert.equal(store.totalBytes, 30);
  });

  it('keeps at most maxBytes in all, dropping the oldest, and refuses a file larger than that', function () {
    const store = new AudioStore({ maxAgeMs: 60_000, maxCount: 100, maxBytes: 1000 });
    const a = store.put(Buffer.alloc(400), 'audio/wav', 'wav');
    const b = store.put(Buffer.alloc(400), 'audio/wav', 'wav');
    const c = store.put(Buffer.alloc(400), 'audio/wav', 'wav');
    assert.equal(store.get(a.id), undefined);
    assert.ok(store.get(b.id) && store.get(c.id));
    assert.equal(store.totalBytes, 800);
    assert.throws(() => store.put(Buffer.alloc(1001), 'audio/wav', 'wav'), /larger than the store's limit of 1000 bytes/);
    assert.equal(store.totalBytes, 800, 'a refused file changed the store');
  });

  it('answers undefined for ids it never gave, including path-like ones, and forgets everything on clear', function () {
    const store = new AudioStore({ maxAgeMs: 1000, maxCount: 10, maxBytes: 1000 });
    const f = store.put(Buffer.alloc(4), 'audio/wav', 'wav');
    for (const id of ['', '../../package.json', 'x'.repeat(22), f.id + 'x', f.id.slice(1), '__proto__', 'constructor']) {
      assert.equal(store.get(id), undefined, id);
    }
    store.clear();
    assert.equal(store.get(f.id), undefined);
    assert.equal(store.size, 0);
  });

  it('refuses limits that are not positive numbers', function () {
    assert.throws(() => new AudioStore({ maxAgeMs: 0, maxCount: 1, maxBytes: 1 }), /maxAgeMs must be a positive number/);
    assert.throws(() => new AudioStore({ maxAgeMs: 1, maxCount: NaN, maxBytes: 1 }), /maxCount/);
    assert.throws(() => new AudioStore({ maxAgeMs: 1, maxCount: 1, maxBytes: -5 }), /maxBytes/);
  });
});

describe('Range header', function () {
  const cases: Array<[string | undefined, ReturnType<typeof parseRange>]> = [
    [undefined, { kind: 'whole' }],
    ['bytes=0-99', { kind: 'part', start: 0, end: 99 }],
    ['bytes=0-', { kind: 'part', start: 0, end: 999 }],
    ['bytes=900-5000', { kind: 'part', start: 900, end: 999 }],
    ['bytes=-100', { kind: 'part', start: 900, end: 999 }],
    ['bytes=-5000', { kind: 'part', start: 0, end: 999 }],
    ['bytes=999-999', { kind: 'part', start: 999, end: 999 }],
    ['bytes=1000-', { kind: 'unsatisfiable' }],
    ['bytes=5000-6000', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=0-10,20-30', { kind: 'whole' }],
    ['bytes=20-10', { kind: 'whole' }],
    ['items=0-10', { kind: 'whole' }],
    ['bytes=abc', { kind: 'whole' }],
  ];
  for (const [header, expected] of cases) {
    it(`${String(header)} on 1000 bytes → ${JSON.stringify(expected)}`, function () {
      assert.deepEqual(parseRange(header, 1000), expected);
    });
  }
});
