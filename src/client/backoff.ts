/**
 * Reconnect delays: exponential with "equal jitter" (each delay drawn uniformly from the upper
 * half of its ceiling, so it is never shorter than half the ceiling), bounded, and reset once a
 * connection has been stable for a while. The jitter keeps kiosks that lost the same service
 * from retrying in lock-step; the floor keeps the attempts spaced: with the default settings a
 * 60 s outage costs at most 8 attempts.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** A connection that stayed up this long resets the attempt count. */
  stableMs: number;
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 30000, stableMs: 60000 };

export class Backoff {
  private attempt = 0;
  private openedAt = 0;
  constructor(private readonly opts: BackoffOptions = DEFAULT_BACKOFF) {}

  /** Delay before the next attempt: uniform in [ceiling/2, ceiling], ceiling doubling up to maxMs. */
  next(): number {
    const ceiling = Math.min(this.opts.maxMs, this.opts.initialMs * Math.pow(2, this.attempt));
    this.attempt = Math.min(this.attempt + 1, 30);
    const r = (this.opts.random || Math.random)();
    return Math.round(ceiling / 2 + (ceiling / 2) * r);
  }

  /** Delays handed out since the last reset (the failed attempts in a row). */
  get attempts(): number {
    return this.attempt;
  }

  /** The upper bound of any delay this backoff can produce. */
  get maxDelayMs(): number {
    return this.opts.maxMs;
  }

  connected(now = Date.now()): void {
    this.openedAt = now;
  }

  disconnected(now = Date.now()): void {
    if (this.openedAt && now - this.openedAt >= this.opts.stableMs) this.attempt = 0;
    this.openedAt = 0;
  }

  reset(): void {
    this.attempt = 0;
  }
}
