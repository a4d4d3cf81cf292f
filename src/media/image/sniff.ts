/**
 * What kind of image a buffer holds, judged from its first bytes (magic numbers), never from a file name
 * or a MIME type, which upstream nodes often get wrong (e.g. `application/octet-stream`).
 */
export type ImageType = 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp' | 'tiff';

// readImageSize and coerceImageBytes live in their own modules; re-exported here so callers import the
// "look at the bytes" helpers from one place.
export { readImageSize } from './dimensions';
export { coerceImageBytes } from './coerce';

/** DIB header sizes a real BMP can have (core, info, v2, v3, OS/2 v2 short+long, v4, v5). */
const BMP_DIB_SIZES = new Set([12, 40, 52, 56, 16, 64, 108, 124]);

function ascii(buf: Uint8Array, start: number, text: string): boolean {
  if (buf.length < start + text.length) return false;
  for (let i = 0; i < text.length; i++) if (buf[start + i] !== text.charCodeAt(i)) return false;
  return true;
}

export function sniffImageType(buf: Uint8Array): ImageType | undefined {
  if (buf.length < 4) return undefined;
  if (buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf[0] === 0x89 && ascii(buf, 1, 'PNG\r\n\x1a\n')) return 'png';
  if (ascii(buf, 0, 'GIF87a') || ascii(buf, 0, 'GIF89a')) return 'gif';
  if (ascii(buf, 0, 'RIFF') && ascii(buf, 8, 'WEBP')) return 'webp';
  // 'II*\0' / 'MM\0*' (classic TIFF) and the BigTIFF variants with 43 in place of 42.
  if (ascii(buf, 0, 'II') && (buf[2] === 42 || buf[2] === 43) && buf[3] === 0) return 'tiff';
  if (ascii(buf, 0, 'MM') && buf[2] === 0 && (buf[3] === 42 || buf[3] === 43)) return 'tiff';
  // "BM" alone is two bytes of text and would match plenty of non-images; also require a known DIB
  // header size at offset 14.
  if (ascii(buf, 0, 'BM') && buf.length >= 18) {
    const dib = buf[14] | (buf[15] << 8) | (buf[16] << 16) | (buf[17] << 24);
    if (BMP_DIB_SIZES.has(dib)) return 'bmp';
  }
  return undefined;
}

/** How each type is named in messages to users. */
export const IMAGE_TYPE_NAMES: Readonly<Record<ImageType, string>> = Object.freeze({
  jpeg: 'JPEG', png: 'PNG', webp: 'WebP', gif: 'GIF', bmp: 'BMP', tiff: 'TIFF',
});
