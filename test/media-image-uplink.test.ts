/**
 * ImageUplink on a fake clock (sinon): frames pushed much faster than the service takes them leave at most
 * `perSecond` a second, spaced again after conversions of varying length (latest wins at both steps), every
 * pushed frame gets exactly one outcome, and close leaves no timer behind.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { ImageUplink, SPEECH_GRACE_MS, SpeechWindow, type ImageUplinkSettings, type NormalizedImage } from '../src/media/image';
import { solid } from './support/image-fixtures';

const BUDGET = { maxWidth: 1280, maxHeight: 720, quality: 80 };

interface Rig {
  uplink: ImageUplink;
  sent: Array<{ jpeg: Buffer; at: number }>;
  failures: Error[];
  outcomes: Array<Error | undefined>;
  push(frame: unknown): void;
}

describe('media/image ImageUplink (fake clock)', function () {
  let clock: sinon.SinonFakeTimers;
  let jpeg: Buffer;
  const open: ImageUplink[] = [];

  before(async function () { jpeg = await solid(64, 36, [200, 0, 0]).jpeg().toBuffer(); });
  beforeEach(() => { clock = sinon.useFakeTimers({ now: 1_000_000 }); });
  afterEach(() => {
    for (const u of open.splice(0)) u.close();
    clock.restore();
  });

  /** `convertMs(n)`: how long the n-th conversion takes on the fake clock (the converted JPEG is the input). */
  function rig(settings: Partial<ImageUplinkSettings> = {}, convertMs: (n: number) => number = () => 0): Rig {
    let conversions = 0;
    const normalize = (image: Buffer): Promise<NormalizedImage> => new Promise((resolve) => {
      const done = () => resolve({ jpeg: image, width: 64, height: 36, tokens: 4 } as NormalizedImage);
      const ms = convertMs(conversions++);
      if (ms > 0) setTimeout(done, ms); else done();
    });
    const r: Rig = {
      uplink: undefined as unknown as ImageUplink, sent: [], failures: [], outcomes: [],
      push: (frame: unknown) => r.uplink.push(frame, (err) => r.outcomes.push(err)),
    };
    r.uplink = new ImageUplink({ budget: BUDGET, ...settings }, {
      send: (j) => { r.sent.push({ jpeg: j, at: Date.now() }); return true; },
      counted: () => undefined,
      failed: (e) => r.failures.push(e),
    }, { normalize });
    open.push(r.uplink);
    return r;
  }

  /** Frames tagged by a trailing byte after the JPEG's end (decoders ignore it), so the test can tell them apart. */
  const tagged = (n: number) => Buffer.concat([jpeg, Buffer.from([n & 0xff])]);
  const tagOf = (b: Buffer) => b[b.length - 1];

  function assertWithinRate(at: number[], perSecond: number): void {
    // Timers fire on whole milliseconds (as Node's do): the gap may be up to 1 ms under 1000 / (0.95 × rate).
    const gap = 1000 / (perSecond * 0.95) - 1;
    for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] >= gap, `gap ${at[i] - at[i - 1]} ms < ${gap} ms`);
    // The service's own rule: no 1 s window holds more than the rate allows.
    for (const t of at) assert.ok(at.filter((u) => u >= t && u < t + 1000).length <= Math.ceil(perSecond), `too many in the second after ${t}`);
  }

  it('20 frames a second for 5 s leave at most 2 a second, the latest last, each message with one outcome', async function () {
    const r = rig();
    for (let i = 0; i < 100; i++) {
      r.push(tagged(i));
      await clock.tickAsync(50);
    }
    await clock.tickAsync(2000);
    const at = r.sent.map((s) => s.at);
    assertWithinRate(at, 2);
    assert.ok(r.sent.length >= 9 && r.sent.length <= 11, `${r.sent.length} frames sent in 5 s`);
    assert.equal(tagOf(r.sent[0].jpeg), 0, 'the first frame goes at once');
    assert.equal(tagOf(r.sent[r.sent.length - 1].jpeg), 99, 'the newest frame is not lost');
    assert.equal(r.outcomes.length, 100, 'one outcome per message');
    assert.ok(r.outcomes.every((e) => e === undefined));
    assert.equal(r.uplink.sent, r.sent.length);
    assert.equal(r.uplink.sent + r.uplink.dropped, 100, 'every frame is sent or counted as dropped');
    assert.equal(clock.countTimers(), 0, 'nothing left scheduled');
  });

  it('spaces the sends again when conversion time varies: a slow conversion does not bunch the next frame', async function () {
    // Conversions alternate 500 ms and instant: unspaced, the instant one would follow the slow one by ~26 ms.
    const r = rig({}, (n) => (n % 2 === 0 ? 500 : 0));
    for (let i = 0; i < 60; i++) {
      r.push(tagged(i));
      await clock.tickAsync(50);
    }
    await clock.tickAsync(3000);
    assertWithinRate(r.sent.map((s) => s.at), 2);
    assert.ok(r.sent.length >= 4, `${r.sent.length} frames sent in 3 s`);
    assert.equal(r.outcomes.length, 60);
    assert.equal(r.uplink.sent + r.uplink.dropped, 60);
  });

  it('a lower rate is kept (0.5 a second), and a rate above the service\'s is capped at 2', async function () {
    const slow = rig({ perSecond: 0.5 });
    const fast = rig({ perSecond: 10 });
    for (let i = 0; i < 200; i++) {
      slow.push(tagged(i));
      fast.push(tagged(i));
      await clock.tickAsync(50);
    }
    await clock.tickAsync(3000);
    assertWithinRate(slow.sent.map((s) => s.at), 0.5);
    assert.ok(slow.sent.length >= 5 && slow.sent.length <= 6, `${slow.sent.length} frames in 10 s at 0.5/s`);
    assertWithinRate(fast.sent.map((s) => s.at), 2);
    assert.ok(fast.sent.length >= 19, `${fast.sent.length} frames in 10 s at 2/s`);
  });

  it('refuses what is not an image at once (a throw, no outcome), and a failed conversion ends its message with the error', async function () {
    const r = rig();
    assert.throws(() => r.push(42), /image/i);
    assert.throws(() => r.push(Buffer.alloc(0)), /empty/);
    assert.equal(r.outcomes.length, 0);
    const failing = new ImageUplink({ budget: BUDGET }, {
      send: () => true, counted: () => undefined, failed: (e) => r.failures.push(e),
    }, { normalize: () => Promise.reject(new Error('cannot decode')) });
    open.push(failing);
    failing.push(jpeg, (err) => r.outcomes.push(err));
    await clock.tickAsync(0);
    assert.equal(r.outcomes.length, 1);
    assert.match(String(r.outcomes[0]?.message), /cannot decode/);
    assert.equal(r.failures.length, 1);
    assert.equal(failing.sent, 0);
  });

  it('close drops the frame waiting for its turn and leaves no timer', async function () {
    const r = rig();
    r.push(tagged(1));
    r.push(tagged(2));
    await clock.tickAsync(100);
    assert.equal(r.sent.length, 1);
    r.uplink.close();
    assert.equal(clock.countTimers(), 0);
    await clock.tickAsync(5000);
    assert.equal(r.sent.length, 1, 'nothing after close');
    assert.equal(r.outcomes.length, 2, 'the pending frame still gets its outcome');
  });
});

describe('media/image SpeechWindow (fake clock)', function () {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => { clock = sinon.useFakeTimers({ now: 1_000_000 }); });
  afterEach(() => clock.restore());

  it('is open from speech_started until 2 s after speech_stopped, kept open by partials, shut when the connection drops', function () {
    const w = new SpeechWindow();
    assert.equal(w.active, false, 'no one speaks before the service says so');
    w.event({ type: 'input_audio_buffer.speech_started' });
    clock.tick(60_000);
    assert.equal(w.active, true, 'open for as long as the speech lasts');
    w.event({ type: 'input_audio_buffer.speech_stopped' });
    clock.tick(SPEECH_GRACE_MS - 1);
    assert.equal(w.active, true, 'the picture still explains what was just said');
    w.event({ type: 'conversation.item.input_audio_transcription.text' });
    clock.tick(SPEECH_GRACE_MS - 1);
    assert.equal(w.active, true, 'a partial transcript keeps it open');
    clock.tick(1);
    assert.equal(w.active, false);
    w.event({ type: 'input_audio_buffer.speech_started' });
    const { state } = w; // handed to a session as a listener, unbound
    state('open');
    assert.equal(w.active, true);
    state('reconnecting');
    assert.equal(w.active, false);
  });
});
