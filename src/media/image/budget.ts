/**
 * How big a frame may be. The service bills 0.5 token per started 28×28 px tile and accepts at most
 * 1920×1080, so the pixel budget is the cost knob: 720p costs less than half of 1080p per frame.
 */
import { IMAGE_MAX_HEIGHT, IMAGE_MAX_WIDTH, IMAGE_TILE_PX, IMAGE_TOKENS_PER_TILE } from '../../protocol/catalog';

export function imageTokens(width: number, height: number): number {
  return Math.ceil(width / IMAGE_TILE_PX) * Math.ceil(height / IMAGE_TILE_PX) * IMAGE_TOKENS_PER_TILE;
}

export interface ImageBudget {
  maxWidth: number;
  maxHeight: number;
  /** Optional cap on width × height, e.g. to bound cost whatever the aspect ratio. */
  maxPixels?: number;
  /** Optional cap on the tokens one frame is billed (0.5 per started 28×28 tile): the cost knob itself. */
  maxTokens?: number;
  /** JPEG quality 1–100 (default 80): a good size/legibility balance for text in camera frames. */
  quality?: number;
}

/** 720p: the service recommends 480p or 720p; 720p keeps small text readable. */
export const DEFAULT_BUDGET: ImageBudget = Object.freeze({ maxWidth: 1280, maxHeight: 720, quality: 80 });

export const DEFAULT_QUALITY = 80;

function positive(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value > 0)) throw new RangeError(`image budget ${name} must be a positive number, got ${String(value)}`);
  return value;
}

/** The budget's JPEG quality, clamped to 1–100. */
export function budgetQuality(budget: ImageBudget): number {
  const q = budget.quality;
  if (q === undefined || !Number.isFinite(q)) return DEFAULT_QUALITY;
  return Math.min(100, Math.max(1, Math.round(q)));
}

/**
 * Largest size with the same aspect ratio that fits the budget and the service's hard 1920×1080 limit
 * (width and height as given: a portrait frame must also be ≤ 1080 high). Never upscales: enlarging
 * adds tokens and no information.
 */
export function fitWithin(width: number, height: number, budget: ImageBudget): { width: number; height: number } {
  if (!(width > 0) || !(height > 0)) throw new RangeError(`image size must be positive, got ${width}x${height}`);
  const maxW = Math.min(IMAGE_MAX_WIDTH, positive(budget.maxWidth, 'maxWidth') ?? IMAGE_MAX_WIDTH);
  const maxH = Math.min(IMAGE_MAX_HEIGHT, positive(budget.maxHeight, 'maxHeight') ?? IMAGE_MAX_HEIGHT);
  const maxPixels = positive(budget.maxPixels, 'maxPixels') ?? Infinity;
  const scale = Math.min(1, maxW / width, maxH / height, Math.sqrt(maxPixels / (width * height)));
  if (scale >= 1) return { width, height };
  // Floor, with a hair of slack so 1920 × (2/3) lands on 1280 and not 1279 through float error.
  let w = Math.max(1, Math.min(Math.floor(maxW), Math.floor(width * scale + 1e-6)));
  let h = Math.max(1, Math.min(Math.floor(maxH), Math.floor(height * scale + 1e-6)));
  // The slack may push the product a pixel row over maxPixels; trim the longer side until it fits.
  while (w * h > maxPixels && (w > 1 || h > 1)) {
    if (w >= h) w--; else h--;
  }
  return { width: w, height: h };
}

/**
 * fitWithin, then (with budget.maxTokens) smaller still until the frame's bill fits: tiles are whole, so
 * the size is found by shrinking in small steps, keeping the aspect ratio. At least one tile is always
 * allowed (0.5 token), whatever the budget says.
 */
export function fitBudget(width: number, height: number, budget: ImageBudget): { width: number; height: number } {
  const fit = fitWithin(width, height, budget);
  const maxTokens = positive(budget.maxTokens, 'maxTokens');
  if (maxTokens === undefined || imageTokens(fit.width, fit.height) <= maxTokens) return fit;
  // Start from the area the budget allows (a slight overestimate, since partial tiles are billed whole).
  let scale = Math.min(1, Math.sqrt((maxTokens / IMAGE_TOKENS_PER_TILE) * IMAGE_TILE_PX * IMAGE_TILE_PX / (fit.width * fit.height)));
  for (;;) {
    const w = Math.max(1, Math.floor(fit.width * scale + 1e-6));
    const h = Math.max(1, Math.floor(fit.height * scale + 1e-6));
    if (imageTokens(w, h) <= maxTokens || (w <= IMAGE_TILE_PX && h <= IMAGE_TILE_PX)) return { width: w, height: h };
    scale *= 0.98;
  }
}
