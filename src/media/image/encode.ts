/**
 * Decode → upright → shrink → JPEG with sharp, then squeeze under the service's 500 KB limit if needed.
 * The first attempt is a single fused libvips pipeline (fast: decode, resize and encode stream together,
 * and JPEG sources use shrink-on-load). Only a frame that comes out too big (noisy, detailed scenes) is
 * decoded once to raw pixels and re-encoded from those at falling quality, then falling size.
 */
import { IMAGE_MAX_BYTES } from '../../protocol/catalog';
import { budgetQuality, fitBudget, type ImageBudget } from './budget';
import { decodeBmp } from './bmp';
import { ImageFormatError } from './errors';
import { MAX_SOURCE_PIXELS } from './limits';
import type { SharpFactory, SharpPipeline } from './sharp-loader';
import { IMAGE_TYPE_NAMES, type ImageType } from './sniff';

export interface Encoded {
  jpeg: Buffer;
  width: number;
  height: number;
  /** Upright size of the source, before any shrinking. */
  sourceWidth: number;
  sourceHeight: number;
}

/**
 * Fallbacks once the first encode exceeds the limit: [scale of the budget size, highest quality]. Quality
 * goes first (cheap, keeps resolution for legible text), then size. 0.25 of 1080p at quality 30 is far
 * below 500 KB for any content, so the last step always fits in practice.
 */
const SQUEEZE: ReadonlyArray<readonly [number, number]> = [
  [1, 65], [1, 50], [1, 40], [0.75, 50], [0.5, 50], [0.35, 40], [0.25, 30],
];

/** Transparent areas become white, as an image viewer shows them, rather than JPEG's default black. */
const BACKGROUND = '#ffffff';

interface Source {
  open(): SharpPipeline;
  width: number;
  height: number;
  orientation: number;
  hasAlpha: boolean;
}

async function openSource(sharp: SharpFactory, buf: Buffer, type: ImageType): Promise<Source> {
  if (type === 'bmp') {
    const raw = decodeBmp(buf);
    const open = (): SharpPipeline => sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
    return { open, width: raw.width, height: raw.height, orientation: 1, hasAlpha: false };
  }
  // failOn 'error' rejects truncated or broken data but tolerates the warnings cheap webcams trigger.
  // Only the first page/frame is read (sharp's default), which is what we want for GIF and TIFF.
  const open = (): SharpPipeline => sharp(buf, { failOn: 'error', limitInputPixels: MAX_SOURCE_PIXELS });
  const meta = await open().metadata();
  if (!meta.width || !meta.height) throw new ImageFormatError(`cannot read the size of this ${IMAGE_TYPE_NAMES[type]} image`);
  return { open, width: meta.width, height: meta.height, orientation: meta.orientation ?? 1, hasAlpha: meta.hasAlpha === true };
}

async function toJpeg(pipeline: SharpPipeline, quality: number): Promise<{ data: Buffer; width: number; height: number }> {
  // mozjpeg off: it shaves ~10% off the size but is several times slower, too slow for live frames.
  const { data, info } = await pipeline.jpeg({ quality, mozjpeg: false }).toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

export async function encodeWithSharp(sharp: SharpFactory, buf: Buffer, type: ImageType, budget: ImageBudget): Promise<Encoded> {
  const src = await openSource(sharp, buf, type);
  // EXIF orientations 5–8 turn the picture a quarter: width and height swap once it is upright.
  const quarterTurn = src.orientation >= 5 && src.orientation <= 8;
  const sourceWidth = quarterTurn ? src.height : src.width;
  const sourceHeight = quarterTurn ? src.width : src.height;
  const target = fitBudget(sourceWidth, sourceHeight, budget);
  const quality = budgetQuality(budget);

  const shaped = (): SharpPipeline => {
    let p = src.open().rotate(); // no-argument rotate() = apply the EXIF orientation, then drop the tag
    if (target.width !== sourceWidth || target.height !== sourceHeight) p = p.resize({ ...target, fit: 'fill' });
    if (src.hasAlpha) p = p.flatten({ background: BACKGROUND });
    return p;
  };

  const first = await toJpeg(shaped(), quality);
  if (first.data.length <= IMAGE_MAX_BYTES) return { jpeg: first.data, width: first.width, height: first.height, sourceWidth, sourceHeight };

  const raw = await shaped().raw().toBuffer({ resolveWithObject: true });
  const channels = raw.info.channels as 1 | 2 | 3 | 4;
  let best = first.data.length;
  for (const [scale, maxQuality] of SQUEEZE) {
    const q = Math.min(quality, maxQuality);
    if (scale === 1 && q >= quality) continue; // would repeat the first attempt
    let p = sharp(raw.data, { raw: { width: raw.info.width, height: raw.info.height, channels } });
    if (scale < 1) {
      p = p.resize({
        width: Math.max(1, Math.floor(raw.info.width * scale)),
        height: Math.max(1, Math.floor(raw.info.height * scale)),
        fit: 'fill',
      });
    }
    const out = await toJpeg(p, q);
    if (out.data.length <= IMAGE_MAX_BYTES) return { jpeg: out.data, width: out.width, height: out.height, sourceWidth, sourceHeight };
    best = Math.min(best, out.data.length);
  }
  throw new ImageFormatError(`could not get this ${IMAGE_TYPE_NAMES[type]} image under ${IMAGE_MAX_BYTES / 1024} KB (smallest try: ${Math.round(best / 1024)} KB)`);
}
