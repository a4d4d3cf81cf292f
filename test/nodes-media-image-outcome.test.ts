/**
 * image in gives each message exactly one outcome (a `complete` node sees done(), a `catch` node an
 * error, never both), and refuses an image over the pixel limit from its header, before decoding: a
 * 10000×10000 1-bit BMP (12.5 MB) is refused at once, with a clear error.
 */
import assert from 'node:assert/strict';
import { Simulator } from '../src/simulator';
import { MAX_SOURCE_PIXELS, normalizeImage, readImageSize } from '../src/media/image';
import { ALL_NODES, catchNode, helper, loadFlow, sessionConfig, waitFor } from './support/red';
import { scene } from './support/image-fixtures';

const completeNode = require('@node-red/nodes/core/common/24-complete.js');
const NODES = [...ALL_NODES, catchNode, completeNode];

/** A 1-bit BMP of w×h: 62-byte header (with a 2-colour palette) and rows padded to 4 bytes. */
function bmp1(w: number, h: number): Buffer {
  const row = Math.ceil(w / 32) * 4;
  const b = Buffer.alloc(62 + row * h);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(62, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(w, 18);
  b.writeInt32LE(h, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(1, 28);
  b.writeUInt32LE(0xffffff, 58);
  return b;
}

describe('image in: one outcome per message, huge images refused before decoding', function () {
  this.timeout(30000);
  let sim: Simulator;

  before(async function () {
    sim = new Simulator({ realtime: false });
    await sim.start();
  });
  after(async function () { await sim.stop(); });
  afterEach(async function () { await helper.unload(); });

  it('reads the size of GIF, WebP and BMP from their headers, and refuses a 10000² BMP before decoding it', async function () {
    const big = bmp1(10000, 10000);
    assert.ok(big.length > 12_000_000);
    assert.deepEqual(readImageSize(big), { width: 10000, height: 10000 });
    assert.deepEqual(readImageSize(await scene(640, 360).gif().toBuffer()), { width: 640, height: 360 });
    assert.deepEqual(readImageSize(await scene(641, 359).webp().toBuffer()), { width: 641, height: 359 });
    assert.deepEqual(readImageSize(await scene(641, 359).webp({ lossless: true }).toBuffer()), { width: 641, height: 359 });
    const heap = process.memoryUsage().arrayBuffers;
    await assert.rejects(normalizeImage(big), /BMP image is 10000x10000 \(100\.0 Mpx\); images over 40 Mpx are refused before decoding/);
    // Decoding would have allocated 300 MB of pixels; refusing from the header allocates nothing of the sort.
    assert.ok(process.memoryUsage().arrayBuffers - heap < 50_000_000);
    assert.equal(MAX_SOURCE_PIXELS, 40_000_000);
    // Just under the limit is still taken.
    const ok = bmp1(4000, 2000);
    const img = await normalizeImage(ok);
    assert.ok(img.width <= 1920 && img.jpeg.length > 0);
  });

  it('a good frame completes, a bad one is caught, a huge one is caught: never both for one message', async function () {
    await loadFlow([
      sessionConfig({ url: sim.url, transcription: false }),
      { id: 'img1', type: 'livetranslate-image-in', session: 'sess1', wires: [] },
      { id: 'caught', type: 'catch', scope: ['img1'], uncaught: false, wires: [] },
      { id: 'completed', type: 'complete', scope: ['img1'], uncaught: false, wires: [] },
    ], { sess1: { apiKey: 'sk-test-123456' } }, NODES);
    const caught: Array<Record<string, unknown>> = [];
    const completed: Array<Record<string, unknown>> = [];
    helper.getNode('caught').on('input', (m: Record<string, unknown>) => caught.push(m));
    helper.getNode('completed').on('input', (m: Record<string, unknown>) => completed.push(m));
    const img = helper.getNode('img1');
    // A PNG signature and header with garbage after it: it sniffs as PNG and fails in the decoder.
    const corrupt = Buffer.concat([(await scene(64, 64).png().toBuffer()).subarray(0, 40), Buffer.alloc(200, 7)]);
    img.receive({ payload: corrupt, topic: 'corrupt' });
    await waitFor(() => caught.length + completed.length >= 1, 10000, 'an outcome for the corrupt frame');
    await new Promise((r) => setTimeout(r, 700));
    img.receive({ payload: bmp1(10000, 10000), topic: 'huge' });
    await waitFor(() => caught.length + completed.length >= 2, 10000, 'an outcome for the huge frame');
    await new Promise((r) => setTimeout(r, 700));
    img.receive({ payload: await scene(320, 240).jpeg().toBuffer(), topic: 'good' });
    await waitFor(() => caught.length + completed.length >= 3, 10000, 'an outcome for the good frame');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(caught.map((m) => m.topic), ['corrupt', 'huge']);
    assert.deepEqual(completed.map((m) => m.topic), ['good']);
    assert.match(String((caught[1].error as { message: string }).message), /refused before decoding/);
  });
});
