/**
 * What the log says while the service cannot be reached: the first failure at once, then "still
 * unreachable" coalesced (a connection that keeps failing must not flood the log), and when it is
 * back, how long it was gone and what was not sent meanwhile.
 */
import type { RealtimeSession, StateReason } from '../client';
import { WarningCoalescer, formatSeconds } from '../util/warning-coalescer';
import type { DropTotals } from './drop-accounting';

interface Outage { since: number; droppedBefore: number; bytesBefore: number }

export class OutageNotes {
  private outage: Outage | undefined;
  private readonly warnings: WarningCoalescer;
  private readonly drops: DropTotals;
  private readonly log: (text: string) => void;
  private readonly warn: (text: string) => void;

  constructor(opts: { warnings: WarningCoalescer; drops: DropTotals; log(text: string): void; warn(text: string): void }) {
    this.warnings = opts.warnings;
    this.drops = opts.drops;
    this.log = opts.log;
    this.warn = opts.warn;
  }

  /** True while the service is unreachable (drops are then told in these notes, not on their own). */
  get active(): boolean { return this.outage !== undefined; }

  /** `reason()`: the session's latest reason, read when a note is worded. */
  unreachable(session: RealtimeSession, message: string, reason: () => StateReason | undefined): void {
    const first = !this.outage;
    if (!this.outage) this.outage = { since: Date.now(), droppedBefore: this.drops.audioFrames, bytesBefore: this.drops.audioBytes };
    const o = this.outage;
    // Worded when said, so it tells the state at that moment.
    const still = () => {
      const next = session.nextRetryAt;
      const r = reason();
      const attempts = (r && r.attempts) || session.stats.connects;
      const dropped = this.droppedSince(o);
      return `still unreachable, ${attempts} attempts, ` + (next !== undefined ? `next in ${formatSeconds(Math.max(0, next - Date.now()))} s` : 'trying now') +
        (dropped ? `; ${dropped} not sent so far` : '');
    };
    this.warnings.warn('unreachable', first ? message : still(), still);
  }

  reachable(session: RealtimeSession): void {
    const o = this.outage;
    if (!o) return;
    this.outage = undefined;
    this.warnings.reset('unreachable');
    const dropped = this.droppedSince(o);
    const text = `connected again after ${formatSeconds(Date.now() - o.since)} s (${session.stats.connects} connection attempts since the deploy)`;
    if (dropped) this.warn(`${text}; ${dropped} not sent meanwhile`);
    else this.log(text);
  }

  private droppedSince(o: Outage): string {
    const frames = this.drops.audioFrames - o.droppedBefore;
    return frames > 0 ? `${frames} audio frame(s) (${formatSeconds(((this.drops.audioBytes - o.bytesBefore) / 32000) * 1000)} s)` : '';
  }
}
