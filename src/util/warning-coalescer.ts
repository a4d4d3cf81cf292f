/**
 * Repeated warnings, said once: a flood of the same kind of warning (a server sending thousands
 * of bad frames a second, a connection that keeps failing) must not flood the log, the debug
 * sidebar or a flow's events output.
 *
 * Per kind: the first warning goes out at once and opens a window (1 s by default). Repeats
 * inside the window are counted, not said; when the window ends they are said as one summary and
 * a new window opens, twice as long (up to `maxWindowMs`), so a kind that never stops is said
 * fewer and fewer times (also when it repeats just slower than its window). A kind that stays
 * quiet for a whole window after its last one starts over.
 *
 * Knows nothing of Node-RED: `emit` is whatever says the words (node.warn, an event).
 */
export interface CoalescerOptions {
  emit: (text: string, kind: string) => void;
  /** The first window (default 1000 ms). */
  windowMs?: number;
  /** The longest window (default 60000 ms). */
  maxWindowMs?: number;
}

/** Words for the repeats of one window: how many, the last one, over how long. */
export type Summarize = (repeats: number, last: string, windowMs: number) => string;

interface KindState {
  windowMs: number;
  windowEnd: number;
  repeats: number;
  last: string;
  summarize: Summarize | undefined;
  timer: NodeJS.Timeout | undefined;
}

export const defaultSummary: Summarize = (repeats, last, windowMs) =>
  `${last} (${repeats} more like it in ${formatSeconds(windowMs)} s)`;

export class WarningCoalescer {
  private readonly kinds = new Map<string, KindState>();
  private readonly emitText: CoalescerOptions['emit'];
  private readonly baseWindowMs: number;
  private readonly maxWindowMs: number;
  private closed = false;

  constructor(opts: CoalescerOptions) {
    this.emitText = opts.emit;
    this.baseWindowMs = Math.max(1, opts.windowMs ?? 1000);
    this.maxWindowMs = Math.max(this.baseWindowMs, opts.maxWindowMs ?? 60000);
  }

  /**
   * Says `text` now, or counts it toward the summary of its kind's window. `summarize` words that
   * summary (called when it is said, so it may describe the state at that moment).
   */
  warn(kind: string, text: string, summarize?: Summarize): void {
    if (this.closed) return;
    const now = Date.now();
    const k = this.kinds.get(kind);
    if (!k || now >= k.windowEnd + k.windowMs) {
      // New, or quiet for a whole window after the last one: start over.
      this.kinds.set(kind, { windowMs: this.baseWindowMs, windowEnd: now + this.baseWindowMs, repeats: 0, last: text, summarize, timer: undefined });
      this.say(text, kind);
      return;
    }
    if (now >= k.windowEnd) {
      // Came back soon after its window ended: said at once, the next window longer.
      k.windowMs = Math.min(this.maxWindowMs, k.windowMs * 2);
      k.windowEnd = now + k.windowMs;
      k.last = text;
      if (summarize) k.summarize = summarize;
      this.say(text, kind);
      return;
    }
    k.repeats++;
    k.last = text;
    if (summarize) k.summarize = summarize;
    if (!k.timer) {
      k.timer = setTimeout(() => this.endWindow(kind), Math.max(0, k.windowEnd - now));
      k.timer.unref();
    }
  }

  /** Repeats counted but not yet said, per kind. */
  pending(kind: string): number {
    const k = this.kinds.get(kind);
    return k ? k.repeats : 0;
  }

  /** Forgets a kind (e.g. the condition it warned about is over); its unsaid repeats are dropped. */
  reset(kind: string): void {
    const k = this.kinds.get(kind);
    if (k) clearTimeout(k.timer);
    this.kinds.delete(kind);
  }

  /** Stops: no timer left behind, nothing said any more. */
  close(): void {
    this.closed = true;
    for (const k of this.kinds.values()) clearTimeout(k.timer);
    this.kinds.clear();
  }

  private endWindow(kind: string): void {
    const k = this.kinds.get(kind);
    if (!k || this.closed) return;
    k.timer = undefined;
    const text = (k.summarize || defaultSummary)(k.repeats, k.last, k.windowMs);
    k.repeats = 0;
    k.windowMs = Math.min(this.maxWindowMs, k.windowMs * 2);
    k.windowEnd = Date.now() + k.windowMs;
    this.say(text, kind);
  }

  private say(text: string, kind: string): void {
    try {
      this.emitText(text, kind);
    } catch {
      // Whoever listens must not break the next warning.
    }
  }
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return s >= 10 ? String(Math.round(s)) : String(Math.round(s * 10) / 10);
}
