/**
 * FramePacer: frames go out at the pace of the audio (by the pacer's clock), in order, with one
 * shared timer for all pacers; `realtime` false sends at once; clear/close stop a stream.
 */
import assert from 'node:assert/strict';
import { FramePacer } from '../src/media/pacer';
import { waitFor } from './support/red';

const frames = (tag: number, n: number) => Array.from({ length: n }, (_, i) => Buffer.from([tag, i]));

describe('FramePacer', function () {
  it('sends the first frame at once and each later one when its time comes on the clock', async function () {
    let t = 1000;
    const got: number[] = [];
    const p = new FramePacer(10, (f) => got.push(f[1]), () => t);
    p.push(frames(1, 4), true);
    assert.deepEqual(got, [0]);
    t += 10;
    await waitFor(() => got.length === 2, 2000, 'second frame');
    // A stall: two frames are due at once, and both go (the stream catches up).
    t += 20;
    await waitFor(() => got.length === 4, 2000, 'catch-up');
    assert.deepEqual(got, [0, 1, 2, 3]);
    assert.equal(p.queuedFrames, 0);
    p.close();
  });

  it('paces many pacers with their own clocks, each in order', async function () {
    const got = new Map<number, number[]>();
    const pacers: FramePacer[] = [];
    const start = Date.now();
    for (let k = 0; k < 20; k++) {
      got.set(k, []);
      // Clocks that start at different times: the shared timer serves each at its own pace.
      const p = new FramePacer(5, (f) => got.get(f[0])!.push(f[1]), () => Date.now() - start + k);
      pacers.push(p);
      p.push(frames(k, 5), true);
    }
    const drained = pacers.map((p) => new Promise<void>((r) => p.whenDrained(r)));
    await Promise.all(drained);
    for (const [, seq] of got) assert.deepEqual(seq, [0, 1, 2, 3, 4]);
  });

  it('sends everything at once when not real time, after what was queued', function () {
    let t = 0;
    const got: number[] = [];
    const p = new FramePacer(100, (f) => got.push(f[1]), () => t);
    p.push(frames(1, 3), true);
    assert.deepEqual(got, [0]);
    p.push([Buffer.from([1, 9])], false);
    assert.deepEqual(got, [0, 1, 2, 9]);
    let drained = false;
    p.whenDrained(() => { drained = true; });
    assert.ok(drained);
    t += 1000;
    p.close();
  });

  it('drops what is queued on clear and sends nothing after close', async function () {
    let t = 0;
    const got: number[] = [];
    const p = new FramePacer(5, (f) => got.push(f[1]), () => t);
    p.push(frames(1, 5), true);
    assert.equal(p.clear(), 4);
    p.close();
    p.push(frames(2, 2), false);
    t += 100;
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(got, [0]);
  });

  it('holds at most maxQueuedFrames in real time: the newest that do not fit are dropped and counted, kept frames always queue', function () {
    const t = 0;
    const got: number[] = [];
    const p = new FramePacer(100, (f) => got.push(f[1]), () => t);
    p.maxQueuedFrames = 3;
    assert.equal(p.push(frames(1, 5), true), 2);
    assert.deepEqual(got, [0], 'the oldest frame went at once');
    assert.equal(p.queuedFrames, 2);
    assert.equal(p.push(frames(2, 4), true), 3, 'one more fits');
    assert.equal(p.push(frames(3, 2), true, true), 0, 'kept frames go past the bound');
    assert.equal(p.queuedFrames, 5);
    assert.equal(p.push(frames(4, 3), false), 0, 'not real time: nothing waits, nothing is dropped');
    assert.deepEqual(got, [0, 1, 2, 0, 0, 1, 0, 1, 2]);
    p.close();
  });
});
