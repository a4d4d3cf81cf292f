import assert from 'node:assert/strict';
import { coerceImageBytes, ImageFormatError, readImageSize, sniffImageType, type ImageType } from '../src/media/image';
import { makeBmp, scene, twoFrameGif } from './support/image-fixtures';

describe('media/image sniff', () => {
  const samples: Partial<Record<ImageType, Buffer>> = {};

  before(async () => {
    samples.jpeg = await scene(64, 48).jpeg().toBuffer();
    samples.png = await scene(64, 48).png().toBuffer();
    samples.webp = await scene(64, 48).webp().toBuffer();
    samples.gif = await twoFrameGif(64, 48);
    samples.tiff = await scene(64, 48).tiff().toBuffer();
    samples.bmp = makeBmp(64, 48, () => [1, 2, 3], { bpp: 24 });
  });

  for (const type of ['jpeg', 'png', 'webp', 'gif', 'bmp', 'tiff'] as const) {
    it(`recognises ${type} from its bytes`, () => {
      assert.equal(sniffImageType(samples[type]!), type);
    });
  }

  it('recognises big-endian TIFF and Uint8Array input', async () => {
    const le = samples.tiff!;
    const mm = Uint8Array.from([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]);
    assert.equal(sniffImageType(mm), 'tiff');
    assert.equal(sniffImageType(new Uint8Array(le.buffer, le.byteOffset, le.byteLength)), 'tiff');
  });

  it('rejects non-images, short buffers and a bare "BM" text', () => {
    assert.equal(sniffImageType(Buffer.from('hello world, this is text')), undefined);
    assert.equal(sniffImageType(Buffer.from([0xff, 0xd8])), undefined);
    assert.equal(sniffImageType(Buffer.from('BMW is a car brand, not a bitmap')), undefined);
    assert.equal(sniffImageType(Buffer.from('RIFF\0\0\0\0WAVEfmt ')), undefined);
  });

  it('reads JPEG and PNG sizes from the headers', async () => {
    assert.deepEqual(readImageSize(samples.jpeg!), { width: 64, height: 48 });
    assert.deepEqual(readImageSize(samples.png!), { width: 64, height: 48 });
    const big = await scene(1921, 1079, { noise: 0 }).jpeg({ progressive: true }).toBuffer();
    assert.deepEqual(readImageSize(big), { width: 1921, height: 1079 });
  });

  it('finds the JPEG frame header after an EXIF segment', async () => {
    const exif = await scene(120, 80).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    assert.equal(exif[3], 0xe1, 'fixture should start with an APP1 segment');
    assert.deepEqual(readImageSize(exif), { width: 120, height: 80 });
  });

  it('reads WebP and BMP sizes too; gives undefined for other types and broken headers', () => {
    const webp = readImageSize(samples.webp!);
    const bmp = readImageSize(samples.bmp!);
    assert.ok(webp && webp.width > 0 && webp.height > 0, 'WebP size from its header');
    assert.ok(bmp && bmp.width > 0 && bmp.height > 0, 'BMP size from its header');
    assert.equal(readImageSize(samples.jpeg!.subarray(0, 30)), undefined);
    assert.equal(readImageSize(Buffer.from('not an image at all')), undefined);
  });
});

describe('media/image coerceImageBytes', () => {
  let jpeg: Buffer;
  before(async () => { jpeg = await scene(32, 32).jpeg().toBuffer(); });

  it('passes a Buffer through as the same object', () => {
    assert.equal(coerceImageBytes(jpeg), jpeg);
  });

  it('wraps Uint8Array views and ArrayBuffers without losing bytes', () => {
    const padded = new Uint8Array(jpeg.length + 10);
    padded.set(jpeg, 5);
    assert.deepEqual(coerceImageBytes(padded.subarray(5, 5 + jpeg.length)), jpeg);
    const ab = jpeg.buffer.slice(jpeg.byteOffset, jpeg.byteOffset + jpeg.length);
    assert.deepEqual(coerceImageBytes(ab), jpeg);
  });

  it('decodes base64, with line breaks too', () => {
    const b64 = jpeg.toString('base64');
    assert.deepEqual(coerceImageBytes(b64), jpeg);
    assert.deepEqual(coerceImageBytes(b64.replace(/(.{76})/g, '$1\n')), jpeg);
  });

  it('decodes a data URL and a dashboard webcam payload {image: dataURL}', () => {
    const url = `data:image/jpeg;base64,${jpeg.toString('base64')}`;
    assert.deepEqual(coerceImageBytes(url), jpeg);
    assert.deepEqual(coerceImageBytes({ image: url, width: 32 }), jpeg);
    assert.deepEqual(coerceImageBytes({ data: jpeg }), jpeg);
  });

  it('restores a Buffer that went through JSON', () => {
    const json = JSON.parse(JSON.stringify(jpeg)) as unknown;
    assert.deepEqual(coerceImageBytes(json), jpeg);
    assert.deepEqual(coerceImageBytes({ image: json }), jpeg);
  });

  it('rejects other shapes, saying what is accepted', () => {
    const cases: unknown[] = [42, null, undefined, '/tmp/photo.jpg', 'data:text/plain,hello', '', {}, [1, 2, 3],
      { type: 'Buffer', data: [1, 2, 300] }, Buffer.alloc(0)];
    for (const c of cases) {
      assert.throws(() => coerceImageBytes(c), (err: unknown) => {
        assert.ok(err instanceof ImageFormatError, `expected ImageFormatError for ${String(c)}`);
        assert.match(err.message, /base64 string, data URL/);
        return true;
      });
    }
  });
});
