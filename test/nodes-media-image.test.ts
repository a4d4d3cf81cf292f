/**
 * image-in in a real Node-RED runtime against the simulator (which enforces the service's image rules:
 * JPEG only, ≤ 500 KB, ≤ 1080p, ≤ 2 a second, none before audio): a 1080p frame goes out as a JPEG within
 * the budget, a 5 fps camera yields at most 2 frames a second (latest wins, the rest counted in the
 * status), frames before the first audio are held and sent once audio starts, and the token-saving
 * options (only while speech is active, only when the scene changed) skip what they should.
 */
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { Simulator } from '../src/simulator';
import { readImageSize, imageTokens } from '../src/media/image';
import { helper, loadFlow, capture, sessionConfig, statuses, waitFor } from './support/red';
import { speechBuffer } from './support/fixtures';
import { scene, solid } from './support/image-fixtures';

interface Sent { jpeg: Buffer; at: number }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `sent`: frames image-in hands to the session; `wire`: frames the session writes to the socket. */
async function flow(sim: Simulator, image: Record<string, unknown> = {}): Promise<{ sent: Sent[]; wire: Sent[] }> {
  await loadFlow([
    sessionConfig({ url: sim.url, targetLanguage: 'en', sourceLanguage: 'ja', transcription: false }),
    { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', pacing: 'fast', gate: 'off', wires: [] },
    { id: 'img1', type: 'livetranslate-image-in', session: 'sess1', ...image, wires: [] },
    { id: 'out1', type: 'livetranslate-translation-out', session: 'sess1', partials: false, wires: [[], [], [], []] },
  ], { sess1: { apiKey: 'sk-test-123456' } });
  const sess = helper.getNode('sess1') as unknown as { realtime: { state: string; appendImage(j: Buffer): void } };
  await waitFor(() => sess.realtime && sess.realtime.state === 'open', 5000, 'session open');
  const sent: Sent[] = [];
  const rt = sess.realtime;
  const original = rt.appendImage.bind(rt);
  rt.appendImage = (jpeg: Buffer) => {
    sent.push({ jpeg, at: Date.now() });
    original(jpeg);
  };
  // The socket side: the session's private send path, watched from outside for this test.
  const wire: Sent[] = [];
  const writer = (rt as unknown as { uplink: { sendImageNow(j: Buffer, tokens: number): void } }).uplink;
  const write = writer.sendImageNow.bind(writer);
  writer.sendImageNow = (jpeg: Buffer, tokens: number) => {
    wire.push({ jpeg, at: Date.now() });
    write(jpeg, tokens);
  };
  return { sent, wire };
}

async function meanRed(jpeg: Buffer): Promise<number> {
  const s = await sharp(jpeg).stats();
  return s.channels[0].mean;
}

describe('image-in in Node-RED → simulator', function () {
  this.timeout(30000);
  let sim: Simulator;
  let png1080: Buffer;

  before(async function () {
    sim = new Simulator({ realtime: false });
    await sim.start();
    png1080 = await scene(1920, 1080, { noise: 12 }).png().toBuffer();
  });

  after(async function () {
    await sim.stop();
  });

  afterEach(async function () {
    await helper.unload();
  });

  it('holds frames that come before the first audio (latest wins), and sends that one once audio starts', async function () {
    const { wire } = await flow(sim);
    const rec = sim.sessions[sim.sessions.length - 1];
    const img = helper.getNode('img1');
    const colours: Array<[number, number, number]> = [[200, 0, 0], [0, 200, 0], [40, 40, 200]];
    for (const c of colours) {
      img.receive({ payload: await solid(640, 360, c).jpeg().toBuffer() });
      await sleep(150);
    }
    await sleep(300);
    assert.equal(wire.length, 0, 'nothing written to the socket before audio');
    assert.equal(rec.imagesReceived + rec.imagesRejected, 0);
    helper.getNode('in1').receive({ payload: speechBuffer('Hello there.', { rate: 16000 }) });
    await waitFor(() => rec.imagesReceived === 1, 5000, 'the held frame');
    assert.equal(rec.imagesRejected, 0, 'no image was rejected');
    assert.equal(wire.length, 1, 'only the latest held frame is sent');
    assert.ok(await meanRed(wire[0].jpeg) < 80, 'the latest frame (blue) was the one held');
  });

  it('a 1080p frame goes out as a JPEG ≤ 500 KB within the budget; 5 fps in gives ≤ 2 frames/s out, the rest counted', async function () {
    const { sent } = await flow(sim);
    const rec = sim.sessions[sim.sessions.length - 1];
    const img = helper.getNode('img1');
    const seen = statuses(img as never);
    helper.getNode('in1').receive({ payload: speechBuffer('Hello there.', { rate: 16000 }) });
    await waitFor(() => rec.audioAppends > 0, 5000, 'audio');
    // A 5 fps camera for 3 s.
    const start = Date.now();
    for (let i = 0; i < 15; i++) {
      img.receive({ payload: png1080 });
      await sleep(Math.max(0, start + (i + 1) * 200 - Date.now()));
    }
    await sleep(700);
    assert.ok(sent.length >= 5 && sent.length <= 7, `${sent.length} frames sent for 3 s of a 5 fps feed`);
    for (let i = 2; i < sent.length; i++) {
      assert.ok(sent[i].at - sent[i - 2].at >= 1000, 'never more than 2 frames in any second');
    }
    assert.equal(rec.imagesRejected, 0, 'the simulator accepted every frame (size, format, rate)');
    assert.equal(rec.imagesReceived, sent.length);
    const raw1080 = imageTokens(1920, 1080);
    for (const s of sent) {
      const size = readImageSize(s.jpeg)!;
      assert.ok(s.jpeg.length <= 500 * 1024, `${s.jpeg.length} bytes`);
      assert.ok(size.width <= 1280 && size.height <= 720, `${size.width}x${size.height} within the default 720p budget`);
      assert.equal(size.width / size.height, 1280 / 720, 'aspect ratio kept');
      assert.ok(imageTokens(size.width, size.height) < raw1080 / 2);
    }
    // Every frame is accounted for in the status once the last one has been sent or dropped.
    await waitFor(() => seen.length > 0 && seen[seen.length - 1].text === `${sent.length} sent, ${15 - sent.length} dropped`, 5000,
      `the status to count all 15 frames (last: ${JSON.stringify(seen[seen.length - 1])})`);
  });

  it('a token budget per frame shrinks further, keeping the aspect ratio', async function () {
    const { sent } = await flow(sim, { maxTokens: 150 });
    const rec = sim.sessions[sim.sessions.length - 1];
    helper.getNode('in1').receive({ payload: speechBuffer('Hello there.', { rate: 16000 }) });
    await waitFor(() => rec.audioAppends > 0, 5000, 'audio');
    helper.getNode('img1').receive({ payload: png1080 });
    await waitFor(() => rec.imagesReceived === 1, 5000, 'the frame');
    const size = readImageSize(sent[0].jpeg)!;
    assert.ok(imageTokens(size.width, size.height) <= 150, `${size.width}x${size.height} is ${imageTokens(size.width, size.height)} tokens`);
    assert.ok(imageTokens(size.width, size.height) > 120, 'not shrunk more than needed');
    assert.ok(Math.abs(size.width / size.height - 16 / 9) < 0.02);
  });

  it('"only when the scene changed" skips repeats of the same view', async function () {
    const { sent } = await flow(sim, { sendWhen: 'change', maxRate: 2 });
    const rec = sim.sessions[sim.sessions.length - 1];
    helper.getNode('in1').receive({ payload: speechBuffer('Hello there.', { rate: 16000 }) });
    await waitFor(() => rec.audioAppends > 0, 5000, 'audio');
    const img = helper.getNode('img1');
    // The same scene with fresh sensor noise every frame: not a change.
    for (let seed = 1; seed <= 4; seed++) {
      img.receive({ payload: await scene(640, 360, { noise: 12, seed }).jpeg().toBuffer() });
      await sleep(550);
    }
    assert.equal(sent.length, 1, 'one frame for an unchanging view');
    img.receive({ payload: await solid(640, 360, [250, 250, 250]).jpeg().toBuffer() });
    await waitFor(() => sent.length === 2, 3000, 'the changed view');
    assert.equal(rec.imagesRejected, 0);
  });

  it('"only while speech is active" sends nothing before the service hears speech', async function () {
    const { sent } = await flow(sim, { sendWhen: 'speech' });
    const got = capture(helper.getNode('out1'));
    const rec = sim.sessions[sim.sessions.length - 1];
    const img = helper.getNode('img1');
    const frame = await solid(320, 180, [0, 0, 200]).jpeg().toBuffer();
    img.receive({ payload: frame });
    await sleep(200);
    assert.equal(sent.length, 0, 'no speech yet: skipped');
    helper.getNode('in1').receive({ payload: speechBuffer('Good morning everyone, welcome to the meeting.', { rate: 16000 }) });
    await waitFor(() => got.find((c) => c.port === 3 && c.msg.topic === 'input_audio_buffer.speech_started'), 5000, 'speech started');
    img.receive({ payload: frame });
    await waitFor(() => rec.imagesReceived === 1, 3000, 'a frame while speaking');
    assert.equal(rec.imagesRejected, 0);
  });
});
