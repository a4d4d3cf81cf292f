/**
 * Frame-rate cap for live images. The service takes at most 2 images a second, and for a live scene only
 * the newest frame matters, so frames are never queued: a frame that cannot go yet waits as "pending",
 * and a newer one replaces it (the older one is counted as dropped). Memory stays at one frame whatever
 * the input rate. The service also rejects images before the session's first audio, hence hold/release.
 */
export class LatestFrameLimiter<T> {
  private readonly intervalMs: number;
  private lastSentAt = -Infinity;
  private latest: { frame: T } | undefined; // boxed so `undefined` can be a frame
  private timer: ReturnType<typeof setTimeout> | undefined;
  private held = false;
  private closed = false;
  private droppedCount = 0;
  private sentCount = 0;

  /**
   * @param perSecond frames per second allowed (may be fractional, e.g. 0.5 = one every 2 s).
   * @param send called with each frame allowed through. It should not throw: a throw from a timer-driven
   *   send is caught (an uncaught one would take the whole Node-RED process down) and the frame counted
   *   as dropped.
   * @param now clock in ms, injectable for tests.
   * @param dropped called with each frame that will never be sent (replaced by a newer one, or pending at close).
   */
  constructor(perSecond: number, private readonly send: (frame: T) => void, private readonly now: () => number = Date.now,
    private readonly dropped_?: (frame: T) => void) {
    if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new RangeError(`perSecond must be a positive number, got ${perSecond}`);
    this.intervalMs = 1000 / perSecond;
  }

  offer(frame: T): void {
    if (this.closed) { this.drop(frame); return; }
    const older = this.latest;
    this.latest = { frame };
    if (older) this.drop(older.frame);
    this.flush(false);
  }

  /** Stop sending; frames keep replacing the pending latest one. */
  hold(): void {
    this.held = true;
    this.clearTimer();
  }

  /** Resume; the latest frame held back goes now, or as soon as the rate allows. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    if (!this.closed) this.flush(false);
  }

  get dropped(): number { return this.droppedCount; }
  get sent(): number { return this.sentCount; }
  get pending(): boolean { return this.latest !== undefined; }

  close(): void {
    this.closed = true;
    this.clearTimer();
    const pending = this.latest;
    this.latest = undefined;
    if (pending) this.drop(pending.frame);
  }

  private drop(frame: T): void {
    this.droppedCount++;
    if (this.dropped_) this.dropped_(frame);
  }

  /** Send the pending frame if allowed now; otherwise make sure exactly one timer will retry. */
  private flush(fromTimer: boolean): void {
    if (this.held || !this.latest) return;
    const wait = this.lastSentAt + this.intervalMs - this.now();
    if (wait > 0) {
      if (!this.timer) this.timer = setTimeout(() => { this.timer = undefined; this.flush(true); }, wait);
      return;
    }
    const { frame } = this.latest;
    this.latest = undefined;
    this.lastSentAt = this.now();
    if (!fromTimer) {
      this.send(frame); // a throw reaches the caller of offer()/release(), who can handle it
      this.sentCount++;
      return;
    }
    try {
      this.send(frame);
      this.sentCount++;
    } catch {
      this.droppedCount++;
    }
  }

  private clearTimer(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
  }
}
