import assert from 'node:assert/strict';
import sharp from 'sharp';
import { Simulator } from '../src/simulator';
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

  it('refuses non-JPEG, over 500 KB, over 1080p and undecodable images; accepts a 1080p JPEG', async function () {
    streamPcm(c, silence(0.1));
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: 'red' } }).png().toBuffer();
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
    assert.match(errors[0].message, /only JPEG/);
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

  it('accepts at most 2 images in any 1 s window', async function () {
    streamPcm(c, silence(0.1));
    const img = await jpeg(320, 240);
    c.send(image(img));
    c.send(image(img));
    c.send(image(img));
    const e = await c.waitFor('error');
    assert.equal(e.error.code, 'rate_limit_exceeded');
    assert.match(e.error.message, /2 per second/);
    assert.equal(sim.sessions[0].imagesReceived, 2);
    await settle(600);
    c.send(image(img));
    await c.waitFor('error', 2);
    await settle(500);
    c.send(image(img));
    await settle(100);
    assert.equal(c.events.filter((x) => x.type === 'error').length, 2, 'accepted once the first two are over 1 s old');
    assert.equal(sim.sessions[0].imagesReceived, 3);
    assert.equal(sim.sessions[0].imagesRejected, 2);
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
