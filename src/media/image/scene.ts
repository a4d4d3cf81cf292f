/**
 * "Has the scene changed?" for camera feeds that mostly show the same thing: each frame costs tokens, and
 * a frame that shows what the last one showed adds nothing. A frame is reduced to a tiny grayscale
 * thumbnail (32×18, averaging away sensor noise and JPEG artefacts), and two thumbnails differ by the mean
 * absolute difference of their pixels, as a fraction of full scale (0 = identical, 1 = black vs white).
 *
 * Needs sharp to decode; without it every frame counts as changed (nothing is lost, only not saved).
 */
import { loadSharp } from './sharp-loader';

export const SCENE_THUMB_WIDTH = 32;
export const SCENE_THUMB_HEIGHT = 18;

/** The thumbnail of an image sharp can read, or undefined when sharp is absent or cannot read it. */
export async function sceneThumbnail(image: Buffer): Promise<Uint8Array | undefined> {
  const sharp = loadSharp();
  if (!sharp) return undefined;
  try {
    // The pipeline typing in sharp-loader covers only what normalize uses; these calls exist on sharp.
    const p = sharp(image, { failOn: 'error' }) as unknown as {
      rotate(): typeof p;
      resize(o: { width: number; height: number; fit: 'fill' }): typeof p;
      grayscale(): typeof p;
      raw(): typeof p;
      toBuffer(): Promise<Buffer>;
    };
    const data = await p.rotate().resize({ width: SCENE_THUMB_WIDTH, height: SCENE_THUMB_HEIGHT, fit: 'fill' }).grayscale().raw().toBuffer();
    return data.length === SCENE_THUMB_WIDTH * SCENE_THUMB_HEIGHT ? new Uint8Array(data) : undefined;
  } catch {
    return undefined;
  }
}

/** Mean absolute difference of two thumbnails, 0..1; 1 when either is missing (treat as changed). */
export function sceneDifference(a: Uint8Array | undefined, b: Uint8Array | undefined): number {
  if (!a || !b || a.length !== b.length || a.length === 0) return 1;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / (a.length * 255);
}

/**
 * Keeps the thumbnail of the last frame sent and says whether a new one differs enough to be worth its
 * tokens. `threshold` is the mean absolute difference needed (default 0.03 = 3 % of full scale).
 */
export class SceneChangeFilter {
  private last: Uint8Array | undefined;
  constructor(readonly threshold = 0.03) {
    if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`scene change threshold must be from 0 to 1, got ${String(threshold)}`);
  }

  /** True when `thumb` should be sent; remember it with accept() once it is. */
  changed(thumb: Uint8Array | undefined): boolean {
    if (!thumb || !this.last) return true;
    return sceneDifference(this.last, thumb) >= this.threshold;
  }

  accept(thumb: Uint8Array | undefined): void {
    this.last = thumb;
  }

  reset(): void {
    this.last = undefined;
  }
}
