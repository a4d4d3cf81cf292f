/**
 * Scenes for scripted replies: reference images by name, and which one an incoming image shows.
 * An image is reduced to the 32×18 grayscale thumbnail `image in` uses for its scene filter
 * (media/image/scene.ts), which averages away resizing, JPEG re-encoding and sensor noise; the
 * nearest reference within SCENE_MATCH_LIMIT names the scene. Needs sharp; without it nothing is
 * recognised (the entries without a scene answer).
 */
import { sceneDifference, sceneThumbnail } from '../media/image/scene';

/** Largest mean thumbnail difference (0..1) at which an image still shows a reference scene. */
export const SCENE_MATCH_LIMIT = 0.12;

export class SceneBook {
  private constructor(private readonly refs: ReadonlyArray<{ name: string; thumb: Uint8Array }>) {}

  /** Thumbnails of the reference images; a reference sharp cannot read is reported through `log` and left out. */
  static async load(images: Record<string, Buffer> | undefined, log: (line: string) => void): Promise<SceneBook> {
    const refs: Array<{ name: string; thumb: Uint8Array }> = [];
    for (const [name, image] of Object.entries(images || {})) {
      const thumb = await sceneThumbnail(image);
      if (thumb) refs.push({ name, thumb });
      else log(`scene '${name}': its reference image cannot be read (is sharp installed?); it will never be recognised`);
    }
    return new SceneBook(refs);
  }

  get size(): number {
    return this.refs.length;
  }

  /** The scene `image` shows, or undefined when it is like none of them (or cannot be read). */
  async recognise(image: Buffer): Promise<string | undefined> {
    if (this.refs.length === 0) return undefined;
    const thumb = await sceneThumbnail(image);
    let best: { name: string; d: number } | undefined;
    for (const r of this.refs) {
      const d = sceneDifference(thumb, r.thumb);
      if (d <= SCENE_MATCH_LIMIT && (!best || d < best.d)) best = { name: r.name, d };
    }
    return best?.name;
  }
}
