import assert from 'node:assert/strict';
import sinon from 'sinon';
import { LatestFrameLimiter } from '../src/media/image';

describe('media/image LatestFrameLimiter', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => { clock = sinon.useFakeTimers({ now: 1_000_000 }); });
  afterEach(() => clock.restore());

  function limiter(perSecond = 2): { lim: LatestFrameLimiter<number>; sent: Array<{ frame: number; at: number }> } {
    const sent: Array<{ frame: number; at: number }> = [];
    const lim = new LatestFrameLimiter<number>(perSecond, (frame) => sent.push({ frame, at: Date.now() }));
    return { lim, sent };
  }

  it('sends the first frame at once', () => {
    const { lim, sent } = limiter();
    lim.offer(1);
    assert.deepEqual(sent.map((s) => s.frame), [1]);
    assert.equal(lim.sent, 1);
    assert.equal(lim.pending, false);
  });

  it('caps a 5 fps camera at 2 fps for 3 s, latest frame wins, last frame delivered', () => {
    const { lim, sent } = limiter(2);
    const start = Date.now();
    let offered = 0;
    for (let t = 0; t < 3000; t += 200) { // 15 frames at 5 fps
      clock.tick(t - (Date.now() - start));
      lim.offer(offered++);
    }
    clock.tick(1000); // let the last pending frame go
    const gaps = sent.slice(1).map((s, i) => s.at - sent[i].at);
    assert.ok(gaps.every((g) => g >= 500), `gaps ${gaps}`);
    for (const s of sent) {
      const inWindow = sent.filter((o) => o.at > s.at - 1000 && o.at <= s.at).length;
      assert.ok(inWindow <= 2, `more than 2 frames in the second ending at ${s.at - start} ms`);
    }
    assert.equal(sent[sent.length - 1].frame, offered - 1, 'the newest frame is always delivered');
    assert.deepEqual(sent.map((s) => s.frame), [0, 2, 4, 7, 9, 12, 14]);
    assert.equal(lim.sent, 7);
    assert.equal(lim.dropped, 8);
    assert.equal(lim.sent + lim.dropped, offered);
    assert.equal(lim.pending, false);
  });

  it('keeps at most one timer however many frames arrive', () => {
    const { lim, sent } = limiter(2);
    lim.offer(0);
    for (let i = 1; i <= 100; i++) lim.offer(i);
    assert.equal(clock.countTimers(), 1);
    assert.equal(lim.dropped, 99);
    clock.tick(500);
    assert.deepEqual(sent.map((s) => s.frame), [0, 100]);
    assert.equal(clock.countTimers(), 0);
  });

  it('holds frames until released, then sends only the latest', () => {
    const { lim, sent } = limiter(2);
    lim.hold();
    lim.offer(1); lim.offer(2); lim.offer(3);
    clock.tick(5000);
    assert.equal(sent.length, 0, 'nothing may go before the first audio');
    assert.equal(lim.pending, true);
    assert.equal(clock.countTimers(), 0);
    lim.release();
    assert.deepEqual(sent.map((s) => s.frame), [3]);
    assert.equal(lim.dropped, 2);
  });

  it('respects the rate across a hold/release', () => {
    const { lim, sent } = limiter(2);
    lim.offer(1);
    lim.hold();
    clock.tick(100);
    lim.offer(2);
    lim.release(); // only 100 ms since frame 1: must wait
    assert.deepEqual(sent.map((s) => s.frame), [1]);
    clock.tick(399);
    assert.equal(sent.length, 1);
    clock.tick(1);
    assert.deepEqual(sent.map((s) => [s.frame, s.at - sent[0].at]), [[1, 0], [2, 500]]);
  });

  it('close() clears the timer and counts the pending frame as dropped; later frames are dropped', () => {
    const { lim, sent } = limiter(2);
    lim.offer(1); lim.offer(2);
    lim.close();
    assert.equal(clock.countTimers(), 0);
    clock.tick(2000);
    lim.offer(3);
    assert.deepEqual(sent.map((s) => s.frame), [1]);
    assert.deepEqual([lim.sent, lim.dropped, lim.pending], [1, 2, false]);
  });

  it('uses an injected clock for its decisions', () => {
    let now = 0;
    const sent: number[] = [];
    const lim = new LatestFrameLimiter<number>(1, (f) => sent.push(f), () => now);
    lim.offer(1);
    now = 999; lim.offer(2);
    assert.deepEqual(sent, [1]);
    now = 1000; lim.offer(3); // the interval has passed by this clock: goes at once, replacing 2
    assert.deepEqual(sent, [1, 3]);
    assert.equal(lim.dropped, 1);
    lim.close();
  });

  it('does not let a throwing send escape from a timer', () => {
    let calls = 0;
    const lim = new LatestFrameLimiter<number>(2, () => { calls++; if (calls === 2) throw new Error('socket closed'); });
    lim.offer(1); lim.offer(2);
    assert.doesNotThrow(() => clock.tick(500));
    assert.deepEqual([calls, lim.sent, lim.dropped], [2, 1, 1]);
    assert.throws(() => { clock.tick(500); calls = 1; lim.offer(3); }, /socket closed/, 'a direct send reports to the caller');
  });

  it('rejects a non-positive rate', () => {
    assert.throws(() => new LatestFrameLimiter(0, () => undefined), RangeError);
    assert.throws(() => new LatestFrameLimiter(Number.NaN, () => undefined), RangeError);
  });
});
