import assert from 'node:assert/strict';
import { ImageFormatError, sniffImageType } from '../src/media/image';
import { decodeBmp } from '../src/media/image/bmp';
import { bmpStored, makeBmp, type BmpOptions, type PixelFn } from './support/image-fixtures';

/** Odd width so every row carries padding; distinct colours per corner so flips show. */
const W = 13;
const H = 7;
const pattern: PixelFn = (x, y) => [(x * 19) % 256, (y * 37) % 256, ((x + y) * 23) % 256];

function assertPixels(opts: BmpOptions, pixel: PixelFn = pattern): void {
  const bmp = makeBmp(W, H, pixel, opts);
  assert.equal(sniffImageType(bmp), 'bmp');
  const img = decodeBmp(bmp);
  assert.deepEqual([img.width, img.height, img.channels], [W, H, 3]);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const got = [...img.data.subarray((y * W + x) * 3, (y * W + x) * 3 + 3)];
      assert.deepEqual(got, bmpStored(pixel(x, y), opts.bpp), `pixel ${x},${y} of ${JSON.stringify(opts)}`);
    }
  }
}

describe('media/image BMP decoder', () => {
  it('reads 24-bit bottom-up', () => assertPixels({ bpp: 24 }));
  it('reads 24-bit top-down', () => assertPixels({ bpp: 24, topDown: true }));
  it('reads 32-bit BI_RGB', () => assertPixels({ bpp: 32 }));
  it('reads 32-bit BI_BITFIELDS with a V4 header and RGBA byte order', () => assertPixels({ bpp: 32, bitfields: true }));
  it('reads 16-bit 555', () => assertPixels({ bpp: 16 }));
  it('reads 8-bit palettes', () => assertPixels({ bpp: 8 }));
  it('reads 1-bit palettes', () => assertPixels({ bpp: 1 }, (x, y) => ((x + y) % 3 === 0 ? [255, 255, 255] : [0, 0, 0])));

  it('refuses truncated pixel data instead of reading past the end', () => {
    const bmp = makeBmp(W, H, pattern, { bpp: 24 });
    assert.throws(() => decodeBmp(bmp.subarray(0, bmp.length - 10)), (err: unknown) =>
      err instanceof ImageFormatError && /truncated/.test(err.message));
  });

  it('refuses absurd sizes before allocating', () => {
    const bmp = makeBmp(2, 2, pattern, { bpp: 24 });
    bmp.writeInt32LE(60000, 18);
    bmp.writeInt32LE(60000, 22);
    assert.throws(() => decodeBmp(bmp), (err: unknown) => err instanceof ImageFormatError && /too large/.test(err.message));
  });

  it('refuses unsupported depths', () => {
    const bmp = makeBmp(2, 2, pattern, { bpp: 24 });
    bmp.writeUInt16LE(2, 28);
    assert.throws(() => decodeBmp(bmp), (err: unknown) => err instanceof ImageFormatError && /2 bits per pixel/.test(err.message));
  });
});
