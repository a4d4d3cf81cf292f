/**
 * Real test images, made with sharp from generated pixels (gradients + noise, so JPEGs have realistic
 * sizes), plus hand-built BMPs since sharp cannot write BMP. Deterministic: a seeded PRNG, no files on disk.
 */
import sharp from 'sharp';

/** mulberry32: tiny seeded PRNG so every run draws the same "noise". */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PixelOptions {
  /** ± amplitude of per-pixel noise, 0–255 (camera sensor noise is ~5–15; 128 is pure static). */
  noise?: number;
  seed?: number;
  channels?: 3 | 4;
}

/** RGB(A) pixels: diagonal colour gradients, some stripes (edges, like text), and noise. */
export function scenePixels(width: number, height: number, opts: PixelOptions = {}): Buffer {
  const { noise = 12, seed = 1, channels = 3 } = opts;
  const rnd = prng(seed);
  const out = Buffer.alloc(width * height * channels);
  let o = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const stripe = ((x >> 4) + (y >> 5)) % 7 === 0 ? 60 : 0;
      const base = [255 * x / width, 255 * y / height, 128 + 100 * Math.sin((x + y) / 40)];
      for (let c = 0; c < 3; c++) {
        const v = base[c] - stripe + (rnd() * 2 - 1) * noise;
        out[o++] = Math.max(0, Math.min(255, Math.round(v)));
      }
      if (channels === 4) out[o++] = 255;
    }
  }
  return out;
}

export function scene(width: number, height: number, opts: PixelOptions = {}): sharp.Sharp {
  const channels = opts.channels ?? 3;
  return sharp(scenePixels(width, height, opts), { raw: { width, height, channels } });
}

export function solid(width: number, height: number, rgb: [number, number, number], alpha = 1): sharp.Sharp {
  return sharp({ create: { width, height, channels: 4, background: { r: rgb[0], g: rgb[1], b: rgb[2], alpha } } });
}

/** Mean colour of an encoded image (any format sharp reads), as [r, g, b]. */
export async function meanRgb(img: Buffer): Promise<[number, number, number]> {
  const stats = await sharp(img).stats();
  return [stats.channels[0].mean, stats.channels[1].mean, stats.channels[2].mean];
}

/** A two-frame animated GIF: red frame first, blue second. */
export async function twoFrameGif(width: number, height: number): Promise<Buffer> {
  const red = await solid(width, height, [255, 0, 0]).png().toBuffer();
  const blue = await solid(width, height, [0, 0, 255]).png().toBuffer();
  return sharp([red, blue], { join: { animated: true } }).gif().toBuffer();
}

/** pixel(x, y) → [r, g, b], top row first. */
export type PixelFn = (x: number, y: number) => [number, number, number];

export interface BmpOptions {
  bpp: 1 | 8 | 16 | 24 | 32;
  topDown?: boolean;
  /** 32-bit only: write BI_BITFIELDS masks in a V4 (108-byte) header instead of plain BI_RGB. */
  bitfields?: boolean;
}

/**
 * A BMP written byte by byte from the format description (not by the decoder under test).
 * Palette modes quantise with a fixed palette: 8-bit = 3-3-2 RGB cube, 1-bit = black/white.
 */
export function makeBmp(width: number, height: number, pixel: PixelFn, opts: BmpOptions): Buffer {
  const { bpp, topDown = false, bitfields = false } = opts;
  const dibSize = bitfields ? 108 : 40;
  const paletteCount = bpp <= 8 ? 1 << bpp : 0;
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  const pixelOffset = 14 + dibSize + paletteCount * 4;
  const buf = Buffer.alloc(pixelOffset + stride * height);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(pixelOffset, 10);
  buf.writeUInt32LE(dibSize, 14);
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(topDown ? -height : height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(bpp, 28);
  buf.writeUInt32LE(bitfields ? 3 : 0, 30);
  buf.writeUInt32LE(stride * height, 34);
  if (bitfields) {
    // Deliberately unusual order (R in the low byte) so a decoder ignoring the masks gets it wrong.
    buf.writeUInt32LE(0x000000ff, 54); buf.writeUInt32LE(0x0000ff00, 58);
    buf.writeUInt32LE(0x00ff0000, 62); buf.writeUInt32LE(0xff000000, 66);
  }
  const palette: Array<[number, number, number]> = [];
  if (bpp === 8) for (let i = 0; i < 256; i++) palette.push([((i >> 5) & 7) * 255 / 7, ((i >> 2) & 7) * 255 / 7, (i & 3) * 255 / 3].map(Math.round) as [number, number, number]);
  if (bpp === 1) palette.push([0, 0, 0], [255, 255, 255]);
  palette.forEach(([r, g, b], i) => { const p = 14 + dibSize + i * 4; buf[p] = b; buf[p + 1] = g; buf[p + 2] = r; });
  for (let y = 0; y < height; y++) {
    const row = pixelOffset + stride * (topDown ? y : height - 1 - y);
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      if (bpp === 24) { buf[row + x * 3] = b; buf[row + x * 3 + 1] = g; buf[row + x * 3 + 2] = r; }
      else if (bpp === 32) {
        const p = row + x * 4;
        if (bitfields) { buf[p] = r; buf[p + 1] = g; buf[p + 2] = b; buf[p + 3] = 255; }
        else { buf[p] = b; buf[p + 1] = g; buf[p + 2] = r; }
      } else if (bpp === 16) buf.writeUInt16LE(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3), row + x * 2);
      else if (bpp === 8) buf[row + x] = ((r >> 5) << 5) | ((g >> 5) << 2) | (b >> 6);
      else if (r + g + b > 382) buf[row + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return buf;
}

/** The colour makeBmp actually stores for `rgb` at this depth (palette/16-bit modes lose precision). */
export function bmpStored(rgb: [number, number, number], bpp: BmpOptions['bpp']): [number, number, number] {
  const [r, g, b] = rgb;
  if (bpp === 16) return [r >> 3, g >> 3, b >> 3].map((v) => Math.round(v * 255 / 31)) as [number, number, number];
  if (bpp === 8) return [Math.round((r >> 5) * 255 / 7), Math.round((g >> 5) * 255 / 7), Math.round((b >> 6) * 255 / 3)];
  if (bpp === 1) return r + g + b > 382 ? [255, 255, 255] : [0, 0, 0];
  return rgb;
}
