/**
 * The service's rules for input_image_buffer.append (docs/protocol.md §2): at most 500 KB decoded,
 * at most 1080p, at most 2 per second, and never before the first audio.
 *
 * Format: the reference says JPEG only, yet the vendor's own visual-context sample sends PNG files
 * as they are (`face_mask.png`, `mask.png`), so the service evidently takes PNG too: both are
 * accepted. Rate: the same sample sends a frame whenever 0.5 s have passed on a 100 ms audio loop,
 * so frames arrive about 0.5 s apart with jitter; a strict "2 in any 1 s window" refuses that
 * cadence whenever a frame arrives a few ms early. The rate is enforced as a token bucket instead:
 * 2 per second on average, bursts of 2, which takes the sample's cadence and still refuses a
 * sustained third frame a second.
 */
import { performance } from 'node:perf_hooks';
import { IMAGE_MAX_BYTES, IMAGE_MAX_HEIGHT, IMAGE_MAX_PER_SECOND, IMAGE_MAX_WIDTH } from '../protocol/catalog';

export const IMAGE_BEFORE_AUDIO = 'Error append image before append audio.';

/** Width and height from a JPEG's SOFn segment, or undefined when the stream cannot be walked. */
export function jpegSize(buf: Buffer): { width: number; height: number } | undefined {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return undefined;
  let off = 2;
  while (off + 4 <= buf.length) {
    if (buf[off] !== 0xff) return undefined;
    const marker = buf[off + 1];
    if (marker === 0xff) { off++; continue; } // fill byte
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { off += 2; continue; }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end or scan data before any SOF
    const len = buf.readUInt16BE(off + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (off + 9 > buf.length) return undefined;
      return { height: buf.readUInt16BE(off + 5), width: buf.readUInt16BE(off + 7) };
    }
    off += 2 + len;
  }
  return undefined;
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk, or undefined when it is not there. */
export function pngSize(buf: Buffer): { width: number; height: number } | undefined {
  if (buf.length < 24 || buf.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

type Format = 'jpeg' | 'png';

function formatOf(buf: Buffer): Format | undefined {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 8 && buf.subarray(0, 8).equals(PNG_MAGIC)) return 'png';
  return undefined;
}

export type ImageVerdict =
  | { ok: true; width: number; height: number }
  | { ok: false; code: 'invalid_state' | 'invalid_value' | 'rate_limit_exceeded'; message: string };

/** Checks images for one session; a token bucket (2 per second, bursts of 2) paces accepted ones. */
export class ImageGate {
  private tokens = IMAGE_MAX_PER_SECOND;
  private last: number | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  check(image: Buffer, audioSeen: boolean): ImageVerdict {
    if (!audioSeen) return { ok: false, code: 'invalid_state', message: IMAGE_BEFORE_AUDIO };
    const format = formatOf(image);
    if (!format) return { ok: false, code: 'invalid_value', message: 'Invalid image: only JPEG (or PNG) images are supported.' };
    if (image.length > IMAGE_MAX_BYTES) {
      return { ok: false, code: 'invalid_value', message: `Image too large: ${image.length} bytes; the limit is ${IMAGE_MAX_BYTES} bytes (500 KB).` };
    }
    const size = format === 'jpeg' ? jpegSize(image) : pngSize(image);
    if (!size) return { ok: false, code: 'invalid_value', message: `Invalid image: the ${format.toUpperCase()} data cannot be decoded.` };
    // 1080p maximum, in either orientation.
    const long = Math.max(size.width, size.height);
    const short = Math.min(size.width, size.height);
    if (long > IMAGE_MAX_WIDTH || short > IMAGE_MAX_HEIGHT) {
      return { ok: false, code: 'invalid_value', message: `Image too large: ${size.width}x${size.height}; the maximum is 1080p (${IMAGE_MAX_WIDTH}x${IMAGE_MAX_HEIGHT}).` };
    }
    const t = this.now();
    if (this.last !== undefined) this.tokens = Math.min(IMAGE_MAX_PER_SECOND, this.tokens + ((t - this.last) / 1000) * IMAGE_MAX_PER_SECOND);
    this.last = t;
    if (this.tokens < 1) {
      return { ok: false, code: 'rate_limit_exceeded', message: `Too many images: at most ${IMAGE_MAX_PER_SECOND} per second.` };
    }
    this.tokens -= 1;
    return { ok: true, width: size.width, height: size.height };
  }
}
