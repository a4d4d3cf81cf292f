/**
 * Any supported image in, a JPEG the service accepts out (≤ 1920×1080, ≤ 500 KB, within the caller's
 * pixel budget). Never rejects with anything but ImageFormatError for bad input, so the node can report
 * it on the message instead of crashing the flow.
 */
import { imageTokens, DEFAULT_BUDGET, type ImageBudget } from './budget';
import { coerceImageBytes } from './coerce';
import { encodeWithSharp } from './encode';
import { ImageFormatError } from './errors';
import { MAX_SOURCE_PIXELS } from './limits';

export { MAX_SOURCE_PIXELS };
import { jpegPassThrough } from './passthrough';
import { loadSharp, sharpLoadError } from './sharp-loader';
import { IMAGE_TYPE_NAMES, readImageSize, sniffImageType, type ImageType } from './sniff';

export { isSharpAvailable, _setSharpForTests } from './sharp-loader';

export interface NormalizedImage {
  jpeg: Buffer;
  width: number;
  height: number;
  sourceType: ImageType;
  /** True when the pixels were scaled down (not when only re-encoded or rotated). */
  resized: boolean;
  /** What the service bills for this frame (0.5 per started 28×28 tile). */
  tokens: number;
}

function refuseHuge(buf: Buffer, type: ImageType): void {
  const size = readImageSize(buf);
  if (!size || size.width * size.height <= MAX_SOURCE_PIXELS) return;
  const mpx = (size.width * size.height / 1e6).toFixed(1);
  throw new ImageFormatError(`the ${IMAGE_TYPE_NAMES[type]} image is ${size.width}x${size.height} (${mpx} Mpx); images over `
    + `${MAX_SOURCE_PIXELS / 1e6} Mpx are refused before decoding (shrink it first, e.g. to 1920x1080)`);
}

function needsSharp(what: string): ImageFormatError {
  const reason = sharpLoadError();
  return new ImageFormatError(
    `${what} needs the optional 'sharp' module (npm install sharp)` +
      (reason && reason !== 'disabled for tests' ? `; it failed to load: ${reason}` : ''),
  );
}

export async function normalizeImage(input: Buffer, budget: ImageBudget = DEFAULT_BUDGET): Promise<NormalizedImage> {
  // Accept any byte view at run time: callers in plain JS flows do not get the compiler's help.
  const buf = Buffer.isBuffer(input) ? input : coerceImageBytes(input);
  const sourceType = sniffImageType(buf);
  if (!sourceType) {
    throw new ImageFormatError('the data is not an image: expected JPEG, PNG, WebP, GIF, BMP or TIFF');
  }
  refuseHuge(buf, sourceType);
  const sharp = loadSharp();

  if (sourceType === 'jpeg') {
    const pass = jpegPassThrough(buf, budget, sharp !== null);
    if (pass.ok) {
      return { jpeg: buf, width: pass.width, height: pass.height, sourceType, resized: false, tokens: imageTokens(pass.width, pass.height) };
    }
    if (!sharp) {
      if (pass.corrupt) throw new ImageFormatError(`corrupt JPEG: ${pass.why}`);
      throw needsSharp(`this JPEG cannot be sent as it is because ${pass.why}; converting it`);
    }
  } else if (!sharp) {
    throw needsSharp(`converting ${IMAGE_TYPE_NAMES[sourceType]} to JPEG`);
  }

  try {
    const out = await encodeWithSharp(sharp, buf, sourceType, budget);
    return {
      jpeg: out.jpeg,
      width: out.width,
      height: out.height,
      sourceType,
      resized: out.width !== out.sourceWidth || out.height !== out.sourceHeight,
      tokens: imageTokens(out.width, out.height),
    };
  } catch (err) {
    if (err instanceof ImageFormatError || err instanceof RangeError) throw err;
    const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ImageFormatError(`cannot decode this ${IMAGE_TYPE_NAMES[sourceType]} image: ${detail}`, { cause: err });
  }
}
