/**
 * Sends frames at the pace of the audio they hold (real time), or at once. One timer at most,
 * scheduled from a fixed start time so delays do not accumulate into drift.
 */
export class FramePacer {
  private queue: Buffer[] = [];
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private sentSinceStart = 0;
  private drainedCallbacks: Array<() => void> = [];
  private closed = false;

  /**
   * @param frameMs duration of one frame
   * @param send receives each frame, in order
   * @param now clock (injectable for tests)
   */
  constructor(private readonly frameMs: number, private readonly send: (frame: Buffer) => void,
    private readonly now: () => number = Date.now) {}

  /** Queues frames; `realtime` false sends everything queued at once (keeping order). */
  push(frames: Buffer[], realtime: boolean): void {
    if (this.closed) return;
    for (const f of frames) this.queue.push(f);
    if (!realtime) {
      this.stopTimer();
      this.flushAll();
      return;
    }
    if (!this.timer) {
      this.startedAt = this.now();
      this.sentSinceStart = 0;
      this.tick();
    }
  }

  /** Calls `cb` once everything queued so far has been sent (at once if nothing is queued). */
  whenDrained(cb: () => void): void {
    if (this.queue.length === 0) cb();
    else this.drainedCallbacks.push(cb);
  }

  get queuedFrames(): number {
    return this.queue.length;
  }

  /** Drops what is queued and stops; returns how many frames were dropped. */
  clear(): number {
    const n = this.queue.length;
    this.queue = [];
    this.stopTimer();
    this.drainedCallbacks = [];
    return n;
  }

  close(): void {
    this.clear();
    this.closed = true;
  }

  private tick = (): void => {
    this.timer = undefined;
    // Send every frame whose time has come (several after a stall, so the stream catches up).
    const due = Math.floor((this.now() - this.startedAt) / this.frameMs) + 1;
    while (this.queue.length > 0 && this.sentSinceStart < due) {
      this.send(this.queue.shift() as Buffer);
      this.sentSinceStart++;
    }
    if (this.queue.length === 0) {
      this.notifyDrained();
      return;
    }
    const nextAt = this.startedAt + this.sentSinceStart * this.frameMs;
    this.timer = setTimeout(this.tick, Math.max(0, nextAt - this.now()));
  };

  private flushAll(): void {
    while (this.queue.length > 0) this.send(this.queue.shift() as Buffer);
    this.notifyDrained();
  }

  private notifyDrained(): void {
    const cbs = this.drainedCallbacks;
    this.drainedCallbacks = [];
    for (const cb of cbs) cb();
  }

  private stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
