import assert from 'node:assert/strict';
import sharp from 'sharp';
import { Simulator } from '../src/simulator';
import { ImageGate, pngSize } from '../src/simulator/images';
import { speechBuffer } from './support/fixtures';
import { connectSim, settle, silence, streamPcm, type SimClient } from './support/sim-client';

const jpeg = (w: number, h: number) =>
  sharp({ create: { width: w, height: h, channels: 3, background: { r: 40, g: 120, b: 200 } } }).jpeg().toBuffer();
const image = (buf: Buffer) => ({ type: 'input_image_buffer.append', image: buf.toString('base64') });

describe('simulator: images', function () {
  let sim: Simulator;
  let c: SimClient;

  beforeEach(async function () {
    sim = new Simulator({ realtime: false });
    c = await connectSim(await sim.start());
    await c.waitFor('session.created');
  });

  afterEach(async function () {
    c.ws.terminate();
    await sim.stop();
  });

  it('refuses an image sent before any audio with the gateway message', async function () {
    c.send(image(await jpeg(640, 480)));
    const e = await c.waitFor('error');
    assert.equal(e.error.type, 'invalid_request_error');
    assert.equal(e.error.message, 'Error append image before append audio.');
    assert.equal(e.error.param, 'image');
    assert.equal(sim.sessions[0].imagesRejected, 1);
    assert.equal(sim.sessions[0].imagesReceived, 0);
  });

  it('refuses other formats, over 500 KB, over 1080p and undecodable images; accepts a 1080p JPEG', async function () {
    streamPcm(c, silence(0.1));
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: 'red' } }).webp().toBuffer();
    const small = await jpeg(640, 480);
    const big = Buffer.concat([small, Buffer.alloc(500 * 1024)]); // still a JPEG, but 500 KB + more
    const huge = await jpeg(2560, 1440);
    const broken = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x02, 0xff, 0xd9]);
    const fullHd = await jpeg(1920, 1080);
    const portrait = await jpeg(1080, 1920);
    c.send(image(png));
    c.send(image(big));
    c.send(image(huge));
    c.send(image(broken));
    c.send({ type: 'input_image_buffer.append', image: '***' });
    c.send(image(fullHd));
    c.send(image(portrait));
    await c.waitFor('error', 5);
    await settle(100);
    const errors = c.events.filter((e) => e.type === 'error').map((e) => e.error);
    assert.equal(errors.length, 5, JSON.stringify(errors));
    assert.match(errors[0].message, /only JPEG \(or PNG\)/);
    assert.match(errors[1].message, /500 KB/);
    assert.match(errors[2].message, /2560x1440.*1080p/);
    assert.match(errors[3].message, /cannot be decoded/);
    assert.match(errors[4].message, /base64/);
    for (const e of errors) {
      assert.equal(e.code, 'invalid_value');
      assert.equal(e.param, 'image');
    }
    assert.equal(sim.sessions[0].imagesRejected, 5);
    assert.equal(sim.sessions[0].imagesReceived, 2);
  });

  it('accepts PNG as the vendor\'s own sample sends it, and checks its size', async function () {
    streamPcm(c, silence(0.1));
    const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: 'red' } }).png().toBuffer();
    const hugePng = await sharp({ create: { width: 2560, height: 1440, channels: 3, background: 'red' } }).png().toBuffer();
    assert.deepEqual(pngSize(png), { width: 640, height: 480 });
    c.send(image(png));
    c.send(image(hugePng));
    const e = await c.waitFor('error');
    await settle(100);
    assert.match(e.error.message, /2560x1440/);
    assert.equal(sim.sessions[0].imagesReceived, 1);
    assert.equal(sim.sessions[0].imagesRejected, 1);
  });

  it('refuses a third image sent at once (2 per second)', async function () {
    streamPcm(c, silence(0.1));
    const img = await jpeg(320, 240);
    c.send(image(img));
    c.send(image(img));
    c.send(image(img));
    const e = await c.waitFor('error');
    assert.equal(e.error.code, 'rate_limit_exceeded');
    assert.match(e.error.message, /2 per second/);
    await settle(100);
    assert.equal(sim.sessions[0].imagesReceived, 2);
    assert.equal(sim.sessions[0].imagesRejected, 1);
  });

  describe('rate (fake clock)', function () {
    const frame = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02, 0x80, 0x03]);
    /** mulberry32, seeded: the same jitter every run. */
    function rng(seed: number): () => number {
      let a = seed >>> 0;
      return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = Math.imul(a ^ (a >>> 15), a | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }

    it('takes the vendor sample\'s cadence: a frame when 0.5 s have passed, on a 100 ms audio loop, with jitter', function () {
      // The sample reads 100 ms of audio per loop (each read returns 0-15 ms late), sends it, and
      // sends the image when time.time() - last >= 0.5. Each frame then takes 0-80 ms to arrive.
      for (const seed of [1, 2, 3, 4, 5]) {
        const random = rng(seed);
        const arrivals: number[] = [];
        let now = 0;
        let last = -Infinity;
        for (let loop = 0; loop < 1200; loop++) {
          now += 100 + random() * 15;
          if (now - last >= 500) {
            last = now;
            arrivals.push(now + random() * 80);
          }
        }
        arrivals.sort((a, b) => a - b);
        let t = 0;
        const gate = new ImageGate(() => t);
        const refused = arrivals.filter((at) => {
          t = at;
          return !gate.check(frame, true).ok;
        });
        assert.ok(arrivals.length >= 200, `${arrivals.length} frames`);
        assert.deepEqual(refused, [], `seed ${seed}: ${refused.length} of ${arrivals.length} frames refused`);
      }
    });

    it('refuses what goes over 2 per second on average: 3 a second for 10 s', function () {
      let t = 0;
      const gate = new ImageGate(() => t);
      let accepted = 0;
      for (let i = 0; i < 30; i++) {
        t = i * (1000 / 3);
        if (gate.check(frame, true).ok) accepted++;
      }
      // 10 s at 2 per second, plus the burst of 2 at the start.
      assert.ok(accepted <= 2 * 10 + 2, `${accepted} accepted`);
      assert.ok(accepted >= 2 * 10 - 1, `${accepted} accepted`);
    });
  });

  it('bills the images of an utterance in its usage (0.5 token per 28x28 tile)', async function () {
    streamPcm(c, silence(0.1));
    c.send(image(await jpeg(640, 480)));
    c.send(image(await jpeg(100, 100)));
    streamPcm(c, speechBuffer('Look at this picture.', { rate: 16000, channels: 1, type: 'raw', padEnd: 1.2 }));
    const done = await c.waitFor('response.done');
    const u = done.response.usage;
    // 640x480 → 23×18 tiles; 100x100 → 4×4 tiles.
    assert.equal(u.input_tokens_details.image_tokens, Math.ceil(23 * 18 * 0.5) + Math.ceil(4 * 4 * 0.5));
    assert.equal(u.input_tokens, u.input_tokens_details.text_tokens + u.input_tokens_details.audio_tokens + u.input_tokens_details.image_tokens);
    assert.equal(u.total_tokens, u.input_tokens + u.output_tokens);
    // The next utterance has no images of its own.
    streamPcm(c, speechBuffer('And now without one.', { rate: 16000, channels: 1, type: 'raw', padEnd: 1.2 }));
    const done2 = await c.waitFor('response.done', 2);
    assert.equal(done2.response.usage.input_tokens_details.image_tokens, undefined);
  });
});
