/**
 * A per-session queue of timed steps. Replies run one after another (the service answers
 * utterances in order) while each step waits its delay; in fast mode zero delays run at once,
 * synchronously. cancel() drops everything and clears the one pending timer, so a closed socket
 * or stop() leaves no timer behind.
 */
export interface Step {
  /** Milliseconds to wait after the previous step. */
  delayMs: number;
  run(): void;
}

export class Timeline {
  private queue: Step[] = [];
  private timer: NodeJS.Timeout | null = null;
  private pumping = false;
  private cancelled = false;

  /** @param onError called when a step throws, so that a bug never escapes into a socket handler */
  constructor(private readonly onError: (err: unknown) => void) {}

  get idle(): boolean {
    return this.queue.length === 0 && this.timer === null;
  }

  add(steps: Step[]): void {
    if (this.cancelled) return;
    this.queue.push(...steps);
    this.pump();
  }

  cancel(): void {
    this.cancelled = true;
    this.queue = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private pump(): void {
    // Re-entrancy guard: a step may add steps (e.g. a reply ending an utterance mid-append).
    if (this.pumping || this.timer) return;
    this.pumping = true;
    try {
      while (this.queue.length && !this.cancelled) {
        const step = this.queue[0];
        if (step.delayMs > 0) {
          this.timer = setTimeout(() => {
            this.timer = null;
            this.queue.shift();
            this.runStep(step);
            this.pump();
          }, step.delayMs);
          return;
        }
        this.queue.shift();
        this.runStep(step);
      }
    } finally {
      this.pumping = false;
    }
  }

  private runStep(step: Step): void {
    try {
      step.run();
    } catch (err) {
      this.onError(err);
    }
  }
}
