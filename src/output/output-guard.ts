/**
 * Keeps what translation-out sends bounded whatever the server sends, so a flooding or broken
 * server cannot make a flow (debug, file, dashboard nodes) queue messages without bound:
 * - partial texts are coalesced: at most `partialsPerSecond` per output (after a burst of as many),
 *   the latest line of each response (or source item) kept; a final always goes out at once and replaces any pending
 *   partial of its line, so a stale partial never follows its final;
 * - PCM audio chunks pass within a budget of seconds of audio per second (a token bucket far above
 *   what speech needs); beyond it they are dropped, counted, and reported;
 * - events-output messages pass at most `eventsPerSecond` per topic; the rest are dropped, counted
 *   and reported (response.done carries running totals, so usage is never lost);
 * - a `throttled` message on the events output says what was dropped, at most once a second.
 * Knows nothing of Node-RED: `send` and the clock are given. Documented in docs/protocol.md §7.
 */
import { PORT, type Outgoing } from './translation-messages';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface OutputLimits {
  /** Partial-text messages per second, per output (default 10). */
  partialsPerSecond?: number;
  /** Events-output messages per second, per topic (default 10, bursts of twice that). */
  eventsPerSecond?: number;
  /** Seconds of PCM audio passed per second of time (default 60, bursts of 600 s). */
  audioSecondsPerSecond?: number;
}

export interface DropReport { audioChunks: number; audioSeconds: number; events: Record<string, number> }

const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** A token bucket: `rate` per second, holding at most `burst`. */
class Bucket {
  private tokens: number;
  private at: number;
  constructor(private readonly rate: number, private readonly burst: number, now: number) {
    this.tokens = burst;
    this.at = now;
  }
  take(amount: number, now: number): boolean {
    if (!this.has(amount, now)) return false;
    this.tokens -= amount;
    return true;
  }
  has(amount: number, now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    return this.tokens >= amount;
  }
}

export class OutputGuard {
  private readonly interval: number;
  private readonly partialsRate: number;
  private readonly eventsRate: number;
  private readonly audioRate: number;
  /** Per text output: its partials' budget, and the pending latest partial per line. */
  private readonly partialBuckets = new Map<number, Bucket>();
  private readonly pending = new Map<number, Map<string, Outgoing>>();
  private readonly timers = new Map<number, unknown>();
  private readonly eventBuckets = new Map<string, Bucket>();
  private readonly audioBucket: Bucket;
  /** All topics together: a flood of ever-new event types is bounded too. */
  private readonly allEvents: Bucket;
  private dropped: DropReport = { audioChunks: 0, audioSeconds: 0, events: {} };
  private reportTimer: unknown;
  private closed = false;

  constructor(private readonly send: (o: Outgoing) => void, limits: OutputLimits = {}, private readonly clock: Clock = SYSTEM_CLOCK,
    private readonly onDrop?: (report: DropReport) => void) {
    this.partialsRate = positive(limits.partialsPerSecond, 10);
    this.interval = 1000 / this.partialsRate;
    this.eventsRate = positive(limits.eventsPerSecond, 10);
    this.audioRate = positive(limits.audioSecondsPerSecond, 60);
    this.audioBucket = new Bucket(this.audioRate, this.audioRate * 10, clock.now());
    this.allEvents = new Bucket(this.eventsRate * 5, this.eventsRate * 10, clock.now());
  }

  push(list: Outgoing[]): void {
    for (const o of list) {
      if (this.closed) return;
      if (o.port === PORT.translation || o.port === PORT.source) this.text(o);
      else if (o.port === PORT.audio) this.audio(o);
      else this.event(o);
    }
  }

  /** Stops every timer; pending partials are dropped (their finals, if any, already went out). */
  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.timers.clear();
    this.pending.clear();
    if (this.reportTimer !== undefined) this.clock.clearTimeout(this.reportTimer);
    this.reportTimer = undefined;
  }

  private text(o: Outgoing): void {
    const key = lineKey(o);
    const waiting = this.pending.get(o.port);
    if (o.msg.partial !== true) {
      if (waiting) waiting.delete(key);
      this.send(o);
      return;
    }
    if ((!waiting || waiting.size === 0) && this.partialBucket(o.port).take(1, this.clock.now())) {
      this.send(o);
      return;
    }
    const map = waiting || new Map<string, Outgoing>();
    this.pending.set(o.port, map);
    map.set(key, o); // the latest line replaces the one waiting, keeping its turn
    if (!this.timers.has(o.port)) this.schedule(o.port, this.interval);
  }

  private partialBucket(port: number): Bucket {
    let b = this.partialBuckets.get(port);
    if (!b) {
      b = new Bucket(this.partialsRate, this.partialsRate, this.clock.now());
      this.partialBuckets.set(port, b);
    }
    return b;
  }

  private schedule(port: number, ms: number): void {
    this.timers.set(port, this.clock.setTimeout(() => {
      this.timers.delete(port);
      const map = this.pending.get(port);
      if (this.closed || !map || map.size === 0) return;
      if (this.partialBucket(port).take(1, this.clock.now())) {
        const [key, o] = map.entries().next().value as [string, Outgoing];
        map.delete(key);
        this.send(o);
      }
      if (map.size > 0) this.schedule(port, this.interval);
    }, Math.max(0, ms)));
  }

  private audio(o: Outgoing): void {
    const m = o.msg;
    const seconds = typeof m.duration === 'number' ? m.duration
      : Buffer.isBuffer(m.payload) && typeof m.sampleRate === 'number' ? m.payload.length / 2 / m.sampleRate : 0;
    // A whole-utterance WAV is already bounded by its cap and comes once per utterance: never dropped.
    if (typeof m.duration === 'number' || this.audioBucket.take(seconds, this.clock.now())) {
      this.send(o);
      return;
    }
    this.dropped.audioChunks++;
    this.dropped.audioSeconds += seconds;
    this.armReport();
  }

  private event(o: Outgoing): void {
    const topic = o.msg.topic;
    // State changes and the drop reports themselves are rare by construction.
    if (topic === 'state' || topic === 'throttled') {
      this.send(o);
      return;
    }
    let b = this.eventBuckets.get(topic);
    if (!b) {
      b = new Bucket(this.eventsRate, this.eventsRate * 2, this.clock.now());
      this.eventBuckets.set(topic, b);
      if (this.eventBuckets.size > 256) this.eventBuckets.delete(this.eventBuckets.keys().next().value as string);
    }
    const now = this.clock.now();
    if (b.has(1, now) && this.allEvents.take(1, now) && b.take(1, now)) {
      this.send(o);
      return;
    }
    this.dropped.events[topic] = (this.dropped.events[topic] || 0) + 1;
    this.armReport();
  }

  private armReport(): void {
    if (this.reportTimer !== undefined) return;
    this.reportTimer = this.clock.setTimeout(() => {
      this.reportTimer = undefined;
      if (this.closed) return;
      const report = this.dropped;
      this.dropped = { audioChunks: 0, audioSeconds: 0, events: {} };
      report.audioSeconds = Math.round(report.audioSeconds * 1000) / 1000;
      this.send({ port: PORT.events, msg: { topic: 'throttled', payload: report } });
      if (this.onDrop) this.onDrop(report);
    }, 1000);
  }
}

function lineKey(o: Outgoing): string {
  const m = o.msg;
  return String(o.port === PORT.translation ? m.responseId : m.itemId);
}

function positive(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && v > 0 && isFinite(v) ? v : fallback;
}
