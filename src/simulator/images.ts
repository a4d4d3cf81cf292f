/**
 * The service's rules for input_image_buffer.append (docs/protocol.md §2): JPEG only, at most 500 KB
 * decoded, at most 1080p, at most 2 per second, and never before the first audio.
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

export type ImageVerdict =
  | { ok: true; width: number; height: number }
  | { ok: false; code: 'invalid_state' | 'invalid_value' | 'rate_limit_exceeded'; message: string };

/** Checks images for one session; remembers accepted ones for the 2-per-second sliding window. */
export class ImageGate {
  private accepted: number[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  check(jpeg: Buffer, audioSeen: boolean): ImageVerdict {
    if (!audioSeen) return { ok: false, code: 'invalid_state', message: IMAGE_BEFORE_AUDIO };
    if (jpeg.length < 3 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8 || jpeg[2] !== 0xff) {
      return { ok: false, code: 'invalid_value', message: 'Invalid image: only JPEG images are supported.' };
    }
    if (jpeg.length > IMAGE_MAX_BYTES) {
      return { ok: false, code: 'invalid_value', message: `Image too large: ${jpeg.length} bytes; the limit is ${IMAGE_MAX_BYTES} bytes (500 KB).` };
    }
    const size = jpegSize(jpeg);
    if (!size) return { ok: false, code: 'invalid_value', message: 'Invalid image: the JPEG data cannot be decoded.' };
    // 1080p maximum, in either orientation.
    const long = Math.max(size.width, size.height);
    const short = Math.min(size.width, size.height);
    if (long > IMAGE_MAX_WIDTH || short > IMAGE_MAX_HEIGHT) {
      return { ok: false, code: 'invalid_value', message: `Image too large: ${size.width}x${size.height}; the maximum is 1080p (${IMAGE_MAX_WIDTH}x${IMAGE_MAX_HEIGHT}).` };
    }
    const t = this.now();
    this.accepted = this.accepted.filter((a) => t - a < 1000);
    if (this.accepted.length >= IMAGE_MAX_PER_SECOND) {
      return { ok: false, code: 'rate_limit_exceeded', message: `Too many images: at most ${IMAGE_MAX_PER_SECOND} per second.` };
    }
    this.accepted.push(t);
    return { ok: true, width: size.width, height: size.height };
  }
}
