/**
 * The image uplink: one straight path from what a message carries to the frames a session sends.
 *
 *   payload → coerceImageBytes (the bytes) → LatestFrameLimiter (latest wins)
 *           → normalizeImage (pixel limit from the header, then JPEG within the limits and the budget)
 *           → scene change (optional)
 *           → send spacing (latest wins) → send
 *
 * At most `perSecond` frames (≤ the service's 2 a second) leave, 5 % under the rate so that network jitter
 * never lands three in one second at the service. Only the frames that will be sent are converted: a 30 fps
 * camera costs 2 conversions a second. Each pushed frame gets exactly one outcome through its `done`.
 * Speech windows (only while someone speaks) are decided by the caller, which skips instead of pushing.
 * No Node-RED here.
 */
import { IMAGE_MAX_PER_SECOND } from '../../protocol';
import { coerceImageBytes } from './coerce';
import { normalizeImage, type NormalizedImage } from './normalize';
import { LatestFrameLimiter } from './rate-limiter';
import { SceneChangeFilter, sceneThumbnail } from './scene';
import type { ImageBudget } from './budget';

export interface ImageUplinkSettings {
  budget: ImageBudget;
  /** Frames a second wanted; capped at the service's limit. */
  perSecond?: number;
  /** Send a frame only when the scene changed by at least this much (0 to 1); undefined sends every frame. */
  changeThreshold?: number;
}

export interface ImageUplinkOutlet {
  /** One JPEG within the limits, at most `perSecond` a second; false when there was no one to take it. */
  send(jpeg: Buffer, tokens: number): boolean;
  /** The counts changed (a frame sent, dropped or skipped). */
  counted(): void;
  /** A frame could not be converted (its `done` gets the error too). */
  failed(error: Error): void;
}

/** The outcome of one pushed frame: called once, with the error when the frame was bad. */
export type FrameDone = (err?: Error) => void;

interface Frame { bytes: Buffer; done: FrameDone }
interface Converted { jpeg: Buffer; tokens: number }

/** What the uplink runs on: the clock and the converter, both replaceable in tests. */
export interface ImageUplinkDeps {
  now?: () => number;
  normalize?: (image: Buffer, budget: ImageBudget) => Promise<NormalizedImage>;
}

/** Frames go out 5 % under the rate: the service counts them as they arrive, after network jitter. */
const RATE_MARGIN = 0.95;

export class ImageUplink {
  private readonly limiter: LatestFrameLimiter<Frame>;
  private readonly scene: SceneChangeFilter | undefined;
  private readonly minGapMs: number;
  private readonly now: () => number;
  private readonly normalize: NonNullable<ImageUplinkDeps['normalize']>;
  private lastSentAt = -Infinity;
  private waiting: Converted | undefined;
  private waitTimer: NodeJS.Timeout | undefined;
  private sentCount = 0;
  private skippedCount = 0;
  private replacedCount = 0;
  private closed = false;

  constructor(private readonly settings: ImageUplinkSettings, private readonly outlet: ImageUplinkOutlet, deps: ImageUplinkDeps = {}) {
    const now = this.now = deps.now ?? (() => Date.now());
    this.normalize = deps.normalize ?? normalizeImage;
    const rate = Math.min(IMAGE_MAX_PER_SECOND, Math.max(0.1, settings.perSecond || IMAGE_MAX_PER_SECOND)) * RATE_MARGIN;
    this.minGapMs = 1000 / rate;
    this.scene = settings.changeThreshold === undefined ? undefined : new SceneChangeFilter(settings.changeThreshold);
    this.limiter = new LatestFrameLimiter<Frame>(rate, (frame) => this.convert(frame), now, (frame) => frame.done());
  }

  /** Frames handed to the session. */
  get sent(): number { return this.sentCount; }
  /** Frames not sent: replaced by a newer one, skipped (no scene change, no speech), or pending at close. */
  get dropped(): number { return this.limiter.dropped + this.skippedCount + this.replacedCount; }

  /** Takes one message's image. Throws ImageFormatError at once for what it refuses; `done` is then not called. */
  push(data: unknown, done: FrameDone): void {
    const bytes = coerceImageBytes(data);
    if (this.closed) { done(); return; }
    this.limiter.offer({ bytes, done });
  }

  /** Checks and counts a frame the caller chose not to send (no one speaking). Throws like push(). */
  skip(data: unknown): void {
    coerceImageBytes(data);
    this.skipped();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
    this.waiting = undefined;
    this.limiter.close();
  }

  private skipped(): void {
    this.skippedCount++;
    this.outlet.counted();
  }

  private convert(frame: Frame): void {
    this.normalize(frame.bytes, this.settings.budget).then(async (img) => {
      if (this.closed) return;
      if (this.scene) {
        const thumb = await sceneThumbnail(img.jpeg);
        if (this.closed) return;
        if (!this.scene.changed(thumb)) { this.skipped(); return; }
        this.scene.accept(thumb);
      }
      this.space({ jpeg: img.jpeg, tokens: img.tokens });
    }).then(() => frame.done(), (e: Error) => {
      if (!this.closed) this.outlet.failed(e);
      frame.done(e);
    });
  }

  /**
   * The limiter spaced the conversions; conversion time varies, so the sends are spaced again here.
   * A frame that is early waits; a newer one replaces it.
   */
  private space(frame: Converted): void {
    const wait = this.lastSentAt + this.minGapMs - this.now();
    if (wait <= 0 && !this.waiting) { this.sendNow(frame); return; }
    if (this.waiting) this.replacedCount++;
    this.waiting = frame;
    if (this.waitTimer) return;
    this.waitTimer = setTimeout(() => {
      this.waitTimer = undefined;
      const w = this.waiting;
      this.waiting = undefined;
      if (!w) return;
      try {
        this.sendNow(w);
      } catch (e) {
        this.outlet.failed(e as Error);
      }
    }, Math.max(0, wait));
  }

  private sendNow(frame: Converted): void {
    if (this.closed) return;
    this.lastSentAt = this.now();
    if (!this.outlet.send(frame.jpeg, frame.tokens)) return;
    this.sentCount++;
    this.outlet.counted();
  }
}
