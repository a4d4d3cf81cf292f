/**
 * Sends frames at the pace of the audio they hold (real time), or at once. Scheduled from a fixed
 * start time so delays do not accumulate into drift.
 *
 * No timer per frame or per pacer: every pacer of the process shares one clock, a single timer
 * set for the earliest frame due among them (a Node-RED process with many kiosks playing files
 * would otherwise run one timer per kiosk, ten times a second).
 */
export class FramePacer {
  private queue: Buffer[] = [];
  /** Index of the next frame to send in `queue` (no shift(): a long file is thousands of frames). */
  private head = 0;
  private startedAt = 0;
  private sentSinceStart = 0;
  /** When the next frame is due (clock time), or -1 when this pacer waits for nothing. */
  dueAt = -1;
  private drainedCallbacks: Array<() => void> = [];
  private closed = false;
  /** Frames the queue may hold; what a real-time push brings beyond it is dropped (see push). */
  maxQueuedFrames = Infinity;

  /**
   * @param frameMs duration of one frame
   * @param send receives each frame, in order
   * @param now clock (injectable for tests)
   */
  constructor(private readonly frameMs: number, private readonly send: (frame: Buffer) => void,
    readonly now: () => number = Date.now) {}

  /**
   * Queues frames; `realtime` false sends everything queued at once (keeping order). In real time the
   * queue holds at most `maxQueuedFrames`: the newest frames that do not fit are dropped (what already
   * waits keeps its place, so the audio that is sent stays contiguous) and their count is returned.
   * `keep` frames (a recording's end silence) are queued whatever the bound: the utterance must close.
   */
  push(frames: Buffer[], realtime: boolean, keep = false): number {
    if (this.closed) return 0;
    const room = realtime && !keep ? Math.max(0, this.maxQueuedFrames - this.queuedFrames) : frames.length;
    const taken = Math.min(room, frames.length);
    for (let i = 0; i < taken; i++) this.queue.push(frames[i]);
    if (!realtime) {
      this.unschedule();
      this.flushAll();
      return 0;
    }
    if (this.dueAt < 0) {
      this.startedAt = this.now();
      this.sentSinceStart = 0;
      this.tick();
    }
    return frames.length - taken;
  }

  /** Calls `cb` once everything queued so far has been sent (at once if nothing is queued). */
  whenDrained(cb: () => void): void {
    if (this.queuedFrames === 0) cb();
    else this.drainedCallbacks.push(cb);
  }

  get queuedFrames(): number {
    return this.queue.length - this.head;
  }

  /** Drops what is queued and stops; returns how many frames were dropped. */
  clear(): number {
    const n = this.queuedFrames;
    this.queue = [];
    this.head = 0;
    this.unschedule();
    this.drainedCallbacks = [];
    return n;
  }

  close(): void {
    this.clear();
    this.closed = true;
  }

  /** Sends every frame whose time has come (several after a stall, so the stream catches up). */
  tick(): void {
    this.dueAt = -1;
    const due = Math.floor((this.now() - this.startedAt) / this.frameMs) + 1;
    while (this.head < this.queue.length && this.sentSinceStart < due) {
      this.sendNext();
      this.sentSinceStart++;
    }
    if (this.head >= this.queue.length) {
      this.compact();
      this.notifyDrained();
      return;
    }
    this.dueAt = this.startedAt + this.sentSinceStart * this.frameMs;
    sharedClock.schedule(this);
  }

  private sendNext(): void {
    const frame = this.queue[this.head];
    this.queue[this.head++] = EMPTY;
    this.send(frame);
  }

  private flushAll(): void {
    while (this.head < this.queue.length) this.sendNext();
    this.compact();
    this.notifyDrained();
  }

  private compact(): void {
    if (this.head === 0) return;
    this.queue = this.queue.length > this.head ? this.queue.slice(this.head) : [];
    this.head = 0;
  }

  private notifyDrained(): void {
    const cbs = this.drainedCallbacks;
    if (cbs.length === 0) return;
    this.drainedCallbacks = [];
    for (const cb of cbs) cb();
  }

  private unschedule(): void {
    this.dueAt = -1;
    sharedClock.cancel(this);
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * One timer for all pacers. Each pacer keeps its own clock (`now`, injectable) and due time; the
 * timer is set for the earliest of them and, when it fires, ticks every pacer that is due.
 */
class PacerClock {
  private readonly waiting = new Set<FramePacer>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  schedule(p: FramePacer): void {
    this.waiting.add(p);
    const delay = Math.max(0, p.dueAt - p.now());
    const at = Date.now() + delay;
    if (this.timer && at >= this.timerAt) return;
    this.arm(delay, at);
  }

  cancel(p: FramePacer): void {
    this.waiting.delete(p);
    if (this.waiting.size === 0) this.disarm();
  }

  private arm(delay: number, at: number): void {
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.fire, delay);
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    let next = Infinity;
    for (const p of this.waiting) {
      const wait = p.dueAt - p.now();
      if (wait > 0) {
        next = Math.min(next, wait);
        continue;
      }
      this.waiting.delete(p);
      // A send that throws must not stop the other pacers' streams.
      try {
        p.tick();
      } catch {
        // The pacer's owner reports its own errors; a frame that failed is not retried.
      }
    }
    // Pacers rescheduled during the loop armed the timer already when they were earlier.
    if (next < Infinity) {
      const at = Date.now() + next;
      if (!this.timer || at < this.timerAt) this.arm(next, at);
    }
  };
}

const sharedClock = new PacerClock();
