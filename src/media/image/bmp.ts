/**
 * A small BMP decoder, because sharp's prebuilt libvips has no BMP loader (it would need ImageMagick),
 * yet Windows tools and some capture software still write BMP. Covers the uncompressed kinds seen in
 * practice: 1/4/8-bit palettes, 16-bit (555 or bit fields), 24-bit, 32-bit (plain or bit fields), bottom-up
 * and top-down. RLE and embedded JPEG/PNG are refused with a clear message. Alpha is ignored: BMP alpha
 * is rarely meaningful and the output is JPEG anyway.
 */
import { ImageFormatError } from './errors';

export interface RawImage {
  /** Packed RGB, 3 bytes per pixel, top row first. */
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

/** Refuse absurd headers before allocating: 100 Mpx is far beyond any camera frame we would send. */
const MAX_PIXELS = 100_000_000;

interface Channel { mask: number; shift: number; max: number }

function channel(mask: number): Channel {
  mask >>>= 0;
  if (mask === 0) return { mask: 0, shift: 0, max: 1 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  let bits = 0;
  while (((mask >>> (shift + bits)) & 1) === 1 && shift + bits < 32) bits++;
  return { mask, shift, max: bits >= 32 ? 0xffffffff : 2 ** bits - 1 };
}

function scale(c: Channel, px: number): number {
  if (c.mask === 0) return 0;
  return Math.round((((px & c.mask) >>> 0) >>> c.shift) * 255 / c.max);
}

function fail(why: string): never {
  throw new ImageFormatError(`cannot read this BMP: ${why}`);
}

export function decodeBmp(buf: Buffer): RawImage {
  if (buf.length < 26 || buf.toString('latin1', 0, 2) !== 'BM') fail('not a BMP file');
  const pixelOffset = buf.readUInt32LE(10);
  const dib = buf.readUInt32LE(14);
  const core = dib === 12; // OS/2 1.x BITMAPCOREHEADER: 16-bit sizes, 3-byte palette entries
  if (!core && buf.length < 14 + 40) fail('header is truncated');
  const width = core ? buf.readUInt16LE(18) : buf.readInt32LE(18);
  const rawHeight = core ? buf.readUInt16LE(20) : buf.readInt32LE(22);
  const bpp = core ? buf.readUInt16LE(24) : buf.readUInt16LE(28);
  // The 16-byte OS/2 2.x header stops before the compression field; missing fields mean "none".
  const compression = dib >= 20 ? buf.readUInt32LE(30) : 0;
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width <= 0 || height <= 0) fail(`invalid size ${width}x${rawHeight}`);
  if (width * height > MAX_PIXELS) fail(`${width}x${height} is too large`);
  if (compression === 1 || compression === 2) fail('RLE-compressed BMP is not supported; save it uncompressed');
  if (compression === 4 || compression === 5) fail('BMP with embedded JPEG/PNG is not supported');
  const bitfields = compression === 3 || compression === 6;
  if (compression !== 0 && !bitfields) fail(`unknown compression ${compression}`);
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) fail(`${bpp} bits per pixel is not supported`);

  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  if (pixelOffset + stride * height > buf.length) fail('pixel data is truncated');

  // Palette (1/4/8 bpp): after the DIB header (plus 3 or 4 mask words for a 40-byte header with bit fields).
  let palette: Uint8Array | undefined;
  if (bpp <= 8) {
    const entry = core ? 3 : 4;
    const colorsUsed = dib >= 36 ? buf.readUInt32LE(46) : 0;
    const count = colorsUsed > 0 && colorsUsed <= 256 ? colorsUsed : 1 << bpp;
    const start = 14 + dib + (dib === 40 && bitfields ? (compression === 6 ? 16 : 12) : 0);
    palette = new Uint8Array(256 * 3); // missing entries stay black, as Windows shows them
    for (let i = 0; i < count && start + i * entry + 3 <= pixelOffset; i++) {
      const p = start + i * entry;
      palette[i * 3] = buf[p + 2];
      palette[i * 3 + 1] = buf[p + 1];
      palette[i * 3 + 2] = buf[p];
    }
  }

  // Bit-field masks sit at offset 54 for both the 40-byte header (just after it) and V2+ headers (inside).
  let r: Channel, g: Channel, b: Channel;
  if (bitfields) {
    if (buf.length < 66) fail('bit-field masks are truncated');
    r = channel(buf.readUInt32LE(54)); g = channel(buf.readUInt32LE(58)); b = channel(buf.readUInt32LE(62));
  } else if (bpp === 16) {
    r = channel(0x7c00); g = channel(0x03e0); b = channel(0x001f);
  } else {
    r = channel(0xff0000); g = channel(0xff00); b = channel(0xff);
  }
  const plain32 = bpp === 32 && r.mask === 0xff0000 && g.mask === 0xff00 && b.mask === 0xff;

  const out = Buffer.allocUnsafe(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = pixelOffset + stride * (topDown ? y : height - 1 - y);
    let o = y * width * 3;
    if (bpp === 24 || plain32) {
      // Fast path for the two common layouts: bytes are B, G, R (, X).
      const step = bpp / 8;
      for (let x = 0, p = row; x < width; x++, p += step) {
        out[o++] = buf[p + 2]; out[o++] = buf[p + 1]; out[o++] = buf[p];
      }
    } else if (palette) {
      const perByte = 8 / bpp;
      const mask = (1 << bpp) - 1;
      for (let x = 0; x < width; x++) {
        const byte = buf[row + Math.floor(x / perByte)];
        const index = (byte >> (8 - bpp * ((x % perByte) + 1))) & mask;
        out[o++] = palette[index * 3]; out[o++] = palette[index * 3 + 1]; out[o++] = palette[index * 3 + 2];
      }
    } else {
      for (let x = 0; x < width; x++) {
        const px = bpp === 16 ? buf.readUInt16LE(row + x * 2) : buf.readUInt32LE(row + x * 4);
        out[o++] = scale(r, px); out[o++] = scale(g, px); out[o++] = scale(b, px);
      }
    }
  }
  return { data: out, width, height, channels: 3 };
}
