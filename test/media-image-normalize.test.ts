import assert from 'node:assert/strict';
import sharp from 'sharp';
import {
  _setSharpForTests, DEFAULT_BUDGET, ImageFormatError, imageTokens, isSharpAvailable, normalizeImage,
  readImageSize, sniffImageType, type NormalizedImage,
} from '../src/media/image';
import { IMAGE_MAX_BYTES, IMAGE_MAX_HEIGHT, IMAGE_MAX_WIDTH } from '../src/protocol/catalog';
import { makeBmp, meanRgb, scene, solid, twoFrameGif } from './support/image-fixtures';

/** Checks every promise the service makes about an image, on the real bytes. */
async function assertServiceReady(out: NormalizedImage): Promise<void> {
  assert.equal(sniffImageType(out.jpeg), 'jpeg');
  assert.ok(out.jpeg.length <= IMAGE_MAX_BYTES, `${out.jpeg.length} bytes > ${IMAGE_MAX_BYTES}`);
  assert.deepEqual(readImageSize(out.jpeg), { width: out.width, height: out.height });
  assert.ok(out.width <= IMAGE_MAX_WIDTH && out.height <= IMAGE_MAX_HEIGHT, `${out.width}x${out.height}`);
  assert.equal(out.tokens, imageTokens(out.width, out.height));
  const meta = await sharp(out.jpeg).metadata(); // decodes the header with a real decoder
  assert.equal(meta.format, 'jpeg');
  assert.equal(meta.orientation ?? 1, 1, 'output must not depend on EXIF rotation');
}

async function rejectsFormat(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ImageFormatError, `expected ImageFormatError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

function near(actual: number[], expected: number[], tolerance: number, what: string): void {
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= tolerance, `${what}: got [${actual.map(Math.round)}], expected [${expected}]`));
}

describe('media/image normalizeImage (with sharp)', function () {
  this.timeout(60000);

  it('has sharp available in the test environment', () => {
    assert.equal(isSharpAvailable(), true);
  });

  it('turns a noisy 1080p PNG into a ≤ 500 KB 720p JPEG and cuts the token bill', async () => {
    const png = await scene(1920, 1080, { noise: 40 }).png().toBuffer();
    const out = await normalizeImage(png);
    await assertServiceReady(out);
    assert.equal(out.sourceType, 'png');
    assert.equal(out.resized, true);
    assert.deepEqual([out.width, out.height], [1280, 720]);
    assert.ok(Math.abs(out.width / out.height - 1920 / 1080) < 0.005, 'aspect ratio kept');
    const before = imageTokens(1920, 1080);
    console.log(`      PNG 1920x1080 ${Math.round(png.length / 1024)} KB, ${before} tokens -> JPEG ${out.width}x${out.height} ${Math.round(out.jpeg.length / 1024)} KB, ${out.tokens} tokens`);
    assert.ok(out.tokens < before / 2, `${out.tokens} vs ${before}`);
    near(await meanRgb(out.jpeg), await meanRgb(png), 4, 'picture content');
  });

  it('squeezes pure static under 500 KB by lowering quality before size', async () => {
    const png = await scene(1280, 720, { noise: 128 }).png().toBuffer();
    const q100 = await sharp(png).jpeg({ quality: 100 }).toBuffer();
    assert.ok(q100.length > IMAGE_MAX_BYTES, 'fixture must be too big at the asked quality');
    const out = await normalizeImage(png, { ...DEFAULT_BUDGET, quality: 100 });
    await assertServiceReady(out);
    assert.deepEqual([out.width, out.height], [1280, 720], 'resolution kept while lower quality suffices');
    assert.equal(out.resized, false);
  });

  it('shrinks pixels too when quality alone cannot reach 500 KB', async () => {
    const png = await scene(1920, 1080, { noise: 128, seed: 7 }).png().toBuffer();
    const out = await normalizeImage(png, { maxWidth: 1920, maxHeight: 1080, quality: 95 });
    await assertServiceReady(out);
    assert.ok(out.width < 1920, `expected a smaller frame, got ${out.width}`);
    assert.ok(Math.abs(out.width / out.height - 16 / 9) < 0.01, 'aspect ratio kept');
  });

  it('brings a 4000x3000 JPEG within 1920x1080 even with a larger budget', async () => {
    const jpeg = await scene(4000, 3000, { noise: 8 }).jpeg({ quality: 85 }).toBuffer();
    const out = await normalizeImage(jpeg, { maxWidth: 8000, maxHeight: 8000, maxPixels: 100e6 });
    await assertServiceReady(out);
    assert.deepEqual([out.width, out.height], [1440, 1080]);
    assert.equal(out.resized, true);
  });

  it('passes a small JPEG through byte for byte', async () => {
    const jpeg = await scene(640, 480).jpeg({ quality: 85 }).toBuffer();
    const out = await normalizeImage(jpeg);
    assert.equal(out.jpeg, jpeg, 'the same Buffer, not a copy or a re-encode');
    assert.deepEqual([out.width, out.height, out.resized, out.sourceType], [640, 480, false, 'jpeg']);
    assert.equal(out.tokens, imageTokens(640, 480));
  });

  it('re-encodes a JPEG of allowed size but over 500 KB, keeping its size', async () => {
    const jpeg = await scene(1280, 720, { noise: 128 }).jpeg({ quality: 100 }).toBuffer();
    assert.ok(jpeg.length > IMAGE_MAX_BYTES);
    const out = await normalizeImage(jpeg);
    await assertServiceReady(out);
    assert.notEqual(out.jpeg, jpeg);
    assert.deepEqual([out.width, out.height, out.resized], [1280, 720, false]);
  });

  it('applies the EXIF orientation', async () => {
    // Stored landscape: left half red, right half blue. Orientation 6 = shown turned 90° clockwise,
    // so upright it is portrait with red on top.
    const raw = Buffer.alloc(200 * 100 * 3);
    for (let y = 0; y < 100; y++) for (let x = 0; x < 200; x++) raw.set(x < 100 ? [255, 0, 0] : [0, 0, 255], (y * 200 + x) * 3);
    const jpeg = await sharp(raw, { raw: { width: 200, height: 100, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const out = await normalizeImage(jpeg);
    await assertServiceReady(out);
    assert.deepEqual([out.width, out.height], [100, 200]);
    const top = await sharp(out.jpeg).extract({ left: 0, top: 0, width: 100, height: 90 }).png().toBuffer();
    const bottom = await sharp(out.jpeg).extract({ left: 0, top: 110, width: 100, height: 90 }).png().toBuffer();
    near(await meanRgb(top), [255, 0, 0], 20, 'top half');
    near(await meanRgb(bottom), [0, 0, 255], 20, 'bottom half');
  });

  it('converts WebP and TIFF', async () => {
    for (const [type, buf] of [
      ['webp', await solid(800, 600, [20, 160, 60]).webp({ quality: 90 }).toBuffer()],
      ['tiff', await solid(800, 600, [20, 160, 60]).tiff().toBuffer()],
    ] as const) {
      const out = await normalizeImage(buf);
      await assertServiceReady(out);
      assert.deepEqual([out.sourceType, out.width, out.height], [type, 800, 600]);
      near(await meanRgb(out.jpeg), [20, 160, 60], 6, type);
    }
  });

  it('takes the first frame of an animated GIF', async () => {
    const gif = await twoFrameGif(320, 240);
    const out = await normalizeImage(gif);
    await assertServiceReady(out);
    assert.deepEqual([out.sourceType, out.width, out.height], ['gif', 320, 240]);
    near(await meanRgb(out.jpeg), [255, 0, 0], 12, 'first (red) frame');
  });

  it('puts transparent areas on white', async () => {
    const png = await solid(100, 100, [0, 0, 0], 0).png().toBuffer();
    const out = await normalizeImage(png);
    await assertServiceReady(out);
    near(await meanRgb(out.jpeg), [255, 255, 255], 3, 'transparent PNG');
  });

  it('converts a 1080p BMP (decoded without sharp) to a 720p JPEG', async () => {
    const bmp = makeBmp(1920, 1080, (x, y) => [x % 256, y % 256, 200], { bpp: 24 });
    const out = await normalizeImage(bmp);
    await assertServiceReady(out);
    assert.deepEqual([out.sourceType, out.width, out.height, out.resized], ['bmp', 1280, 720, true]);
    // Mean of x%256 over 1920 columns and y%256 over 1080 rows.
    const meanX = Array.from({ length: 1920 }, (_, x) => x % 256).reduce((a, b) => a + b) / 1920;
    const meanY = Array.from({ length: 1080 }, (_, y) => y % 256).reduce((a, b) => a + b) / 1080;
    near(await meanRgb(out.jpeg), [meanX, meanY, 200], 4, 'BMP content');
  });

  describe('corrupt input', () => {
    let jpeg: Buffer;
    before(async () => { jpeg = await scene(640, 480, { noise: 20 }).jpeg().toBuffer(); });

    it('rejects a truncated JPEG that would otherwise pass through', async () => {
      await rejectsFormat(normalizeImage(jpeg.subarray(0, Math.floor(jpeg.length * 0.6))), /cannot decode this JPEG/);
    });

    it('rejects a JPEG whose tables are overwritten', async () => {
      const broken = Buffer.from(jpeg);
      const dht = broken.indexOf(Buffer.from([0xff, 0xc4]));
      assert.ok(dht > 0);
      broken.fill(0xee, dht + 4, dht + 40);
      await rejectsFormat(normalizeImage(broken), /cannot decode this JPEG/);
    });

    it('rejects a truncated PNG and garbage behind a PNG signature', async () => {
      const png = await scene(300, 200).png().toBuffer();
      await rejectsFormat(normalizeImage(png.subarray(0, png.length >> 1)), /cannot decode this PNG/);
      const fake = Buffer.concat([png.subarray(0, 8), Buffer.alloc(500, 7)]);
      await rejectsFormat(normalizeImage(fake), /cannot decode this PNG/);
    });

    it('rejects RLE BMPs with a clear reason', async () => {
      const bmp = makeBmp(8, 8, () => [0, 0, 0], { bpp: 8 });
      bmp.writeUInt32LE(1, 30); // BI_RLE8
      await rejectsFormat(normalizeImage(bmp), /RLE/);
    });

    it('rejects data that is not an image, naming the accepted types', async () => {
      await rejectsFormat(normalizeImage(Buffer.from('{"not":"an image"}')), /not an image: expected JPEG, PNG, WebP, GIF, BMP or TIFF/);
    });
  });

  it('prints ms per 1080p frame (figure, not asserted)', async () => {
    const png = await scene(1920, 1080, { noise: 12 }).png().toBuffer();
    const jpeg = await scene(1920, 1080, { noise: 12 }).jpeg({ quality: 90 }).toBuffer();
    for (const [name, buf] of [['PNG', png], ['JPEG', jpeg]] as const) {
      const times: number[] = [];
      let out: NormalizedImage | undefined;
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        out = await normalizeImage(buf);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      console.log(`      1080p ${name} ${Math.round(buf.length / 1024)} KB -> ${out!.width}x${out!.height} JPEG ${Math.round(out!.jpeg.length / 1024)} KB: median ${((times[4] + times[5]) / 2).toFixed(1)} ms`);
      assert.equal(out!.width, 1280);
    }
  });
});

describe('media/image normalizeImage without sharp', () => {
  beforeEach(() => _setSharpForTests(null));
  afterEach(() => _setSharpForTests(undefined));

  it('reports sharp as unavailable, and back after a reset', () => {
    assert.equal(isSharpAvailable(), false);
    _setSharpForTests(undefined);
    assert.equal(isSharpAvailable(), true);
  });

  it('explains that converting PNG needs sharp', async () => {
    const png = await scene(64, 64).png().toBuffer();
    await rejectsFormat(normalizeImage(png), /converting PNG to JPEG needs the optional 'sharp' module \(npm install sharp\)/);
  });

  it('explains what sharp would be needed for with a too-large JPEG', async () => {
    const jpeg = await scene(1920, 1080, { noise: 4 }).jpeg().toBuffer();
    await rejectsFormat(normalizeImage(jpeg), /1920x1080 and must be shrunk to 1280x720.*npm install sharp/);
  });

  it('still passes a fitting JPEG through untouched', async () => {
    const jpeg = await scene(1280, 720, { noise: 12 }).jpeg().toBuffer();
    const out = await normalizeImage(jpeg);
    assert.equal(out.jpeg, jpeg);
    assert.deepEqual([out.width, out.height, out.tokens], [1280, 720, imageTokens(1280, 720)]);
  });

  it('calls a truncated JPEG corrupt rather than blaming sharp', async () => {
    const jpeg = await scene(320, 240).jpeg().toBuffer();
    await rejectsFormat(normalizeImage(jpeg.subarray(0, jpeg.length - 100)), /^corrupt JPEG: .*no end-of-image marker/);
  });
});
