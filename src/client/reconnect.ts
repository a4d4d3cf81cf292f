/**
 * When to try again after a lost connection: the backoff's next delay, one scheduled retry at a
 * time, and when it will be made (for the status and the warnings).
 */
import { Backoff, type BackoffOptions } from './backoff';

export class Reconnect {
  readonly backoff: Backoff;
  private timer: NodeJS.Timeout | undefined;
  private retryAt = 0;

  constructor(options: BackoffOptions) {
    this.backoff = new Backoff(options);
  }

  get scheduled(): boolean { return this.timer !== undefined; }

  /** When the scheduled retry will be made (epoch ms), or undefined when none is scheduled. */
  get nextRetryAt(): number | undefined { return this.timer ? this.retryAt : undefined; }

  /** Schedules `retry` after the backoff's next delay (replacing a scheduled one); returns the delay. */
  schedule(retry: () => void): number {
    const delay = this.backoff.next();
    this.cancel();
    this.retryAt = Date.now() + delay;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      retry();
    }, delay);
    return delay;
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
