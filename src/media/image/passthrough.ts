/**
 * Whether a JPEG can be sent exactly as received. Most webcams and dashboard widgets already produce a
 * JPEG of an acceptable size; re-encoding it would cost time and a generation of quality for nothing.
 * Decided from the headers alone, so it works without sharp too.
 */
import { IMAGE_MAX_BYTES } from '../../protocol/catalog';
import { fitBudget, type ImageBudget } from './budget';
import { readJpegInfo } from './dimensions';

export type PassThrough =
  | { ok: true; width: number; height: number }
  /** `corrupt`: the data itself is broken, so converting would not help either. */
  | { ok: false; why: string; corrupt: boolean };

/** Baseline, extended and progressive Huffman JPEG: what every decoder reads. */
const COMMON_SOF = new Set([0xc0, 0xc1, 0xc2]);

export function kb(bytes: number): string {
  return `${Math.round(bytes / 1024)} KB`;
}

/**
 * @param needUpright when true (sharp is there to fix it), a JPEG with an EXIF rotation is not passed
 *   through: the service is not documented to honour EXIF, and a sideways frame reads worse.
 */
export function jpegPassThrough(buf: Buffer, budget: ImageBudget, needUpright: boolean): PassThrough {
  const info = readJpegInfo(buf);
  if (!info) return { ok: false, why: 'its JPEG headers are unreadable', corrupt: true };
  if (!info.complete) {
    return { ok: false, why: 'it has no end-of-image marker (truncated, or extra data after the image)', corrupt: true };
  }
  if (!COMMON_SOF.has(info.sof)) return { ok: false, why: `it uses an uncommon JPEG coding (SOF${info.sof - 0xc0})`, corrupt: false };
  if (info.precision !== 8) return { ok: false, why: `it has ${info.precision}-bit samples`, corrupt: false };
  if (info.components !== 1 && info.components !== 3) return { ok: false, why: 'it is CMYK', corrupt: false };
  if (buf.length > IMAGE_MAX_BYTES) {
    return { ok: false, why: `it is ${kb(buf.length)} (the limit is ${kb(IMAGE_MAX_BYTES)})`, corrupt: false };
  }
  const fit = fitBudget(info.width, info.height, budget);
  if (fit.width !== info.width || fit.height !== info.height) {
    return { ok: false, why: `it is ${info.width}x${info.height} and must be shrunk to ${fit.width}x${fit.height}`, corrupt: false };
  }
  if (needUpright && info.orientation !== 1) return { ok: false, why: 'it needs rotating (EXIF orientation)', corrupt: false };
  return { ok: true, width: info.width, height: info.height };
}
