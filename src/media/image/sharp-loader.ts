/**
 * sharp is an optional dependency: it ships native binaries that do not exist for every platform (and
 * some installs use --omit=optional), and the package must still load and pass JPEGs through without it.
 * So it is required lazily, once, on first use; a failure is remembered (retrying a failed native load on
 * every frame would cost a filesystem search each time) and its message kept for error reports.
 *
 * Typed with the few calls we make instead of sharp's own .d.ts, so the build does not depend on the
 * optional package being installed.
 */

export interface SharpMetadata {
  width?: number;
  height?: number;
  /** EXIF orientation 1–8. */
  orientation?: number;
  hasAlpha?: boolean;
  format?: string;
}

export interface SharpOutputInfo {
  width: number;
  height: number;
  channels: number;
  size: number;
}

export interface SharpPipeline {
  metadata(): Promise<SharpMetadata>;
  rotate(): SharpPipeline;
  resize(options: { width: number; height: number; fit: 'fill' }): SharpPipeline;
  flatten(options: { background: string }): SharpPipeline;
  jpeg(options: { quality: number; mozjpeg: boolean; progressive?: boolean }): SharpPipeline;
  raw(): SharpPipeline;
  toBuffer(options: { resolveWithObject: true }): Promise<{ data: Buffer; info: SharpOutputInfo }>;
}

export interface SharpInputOptions {
  /** 'error': reject truncated and broken data, tolerate libjpeg-style warnings from cheap webcams. */
  failOn?: 'none' | 'truncated' | 'error' | 'warning';
  /** Refuse inputs with more pixels than this before decoding them. */
  limitInputPixels?: number;
  raw?: { width: number; height: number; channels: 1 | 2 | 3 | 4 };
}

export type SharpFactory = (input: Buffer, options?: SharpInputOptions) => SharpPipeline;

/** undefined: not tried yet; null: tried and absent (or disabled by a test). */
let cached: SharpFactory | null | undefined;
let loadError: string | undefined;

export function loadSharp(): SharpFactory | null {
  if (cached !== undefined) return cached;
  try {
    const mod = require('sharp') as unknown;
    if (typeof mod !== 'function') throw new Error('unexpected export');
    cached = mod as SharpFactory;
  } catch (err) {
    cached = null;
    loadError = err instanceof Error ? err.message.split('\n')[0] : String(err);
  }
  return cached;
}

export function isSharpAvailable(): boolean {
  return loadSharp() !== null;
}

/** First line of the reason sharp failed to load, if it was tried and failed. */
export function sharpLoadError(): string | undefined {
  return cached === null ? loadError : undefined;
}

/** Tests only: a sharp stand-in, null to pretend it is absent, undefined to go back to lazy loading. */
export function _setSharpForTests(s: unknown | null | undefined): void {
  cached = s as SharpFactory | null | undefined;
  loadError = s === null ? 'disabled for tests' : undefined;
}
