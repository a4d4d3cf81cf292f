/**
 * What never reached the service: counted since the deploy (for the status) and since the last
 * report; reported at most once a `reportMs` (a buffer overflowing drops a frame every 100 ms, and
 * a flow's events output must not get ten messages a second for it).
 */
import type { DropReport } from '../client';
import type { DropSummary } from './session-node';

/** PCM16 mono at 16 kHz: bytes per second of audio. */
const AUDIO_BYTES_PER_SECOND = 32000;

export interface DropTotals { audioFrames: number; audioBytes: number; images: number }

interface Pending extends DropTotals { reasons: Set<string> }

export class DropAccounting {
  /** Since the deploy. */
  readonly total: DropTotals = { audioFrames: 0, audioBytes: 0, images: 0 };
  private pending: Pending | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly reportMs: number;
  private readonly report: (summary: DropSummary) => void;
  private readonly unconfirmed: () => number;

  /** `unconfirmed`: audio frames written but not yet confirmed by the service (for the summary's totals). */
  constructor(opts: { reportMs: number; report: (summary: DropSummary) => void; unconfirmed: () => number }) {
    this.reportMs = opts.reportMs;
    this.report = opts.report;
    this.unconfirmed = opts.unconfirmed;
  }

  /** Counted in the totals always; reported later unless closed (what closing drops is said by the close). */
  add(r: DropReport): void {
    this.total.audioFrames += r.audioFrames;
    this.total.audioBytes += r.audioBytes;
    this.total.images += r.images;
    if (this.closed) return;
    if (!this.pending) this.pending = { audioFrames: 0, audioBytes: 0, images: 0, reasons: new Set() };
    this.pending.audioFrames += r.audioFrames;
    this.pending.audioBytes += r.audioBytes;
    this.pending.images += r.images;
    this.pending.reasons.add(r.reason);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.reportMs);
  }

  /** Frames and images dropped since the deploy, as the status counts them. */
  get count(): number {
    return this.total.audioFrames + this.total.images;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    this.report({
      audioFrames: p.audioFrames,
      audioSeconds: audioSeconds(p.audioBytes),
      images: p.images,
      reasons: [...p.reasons],
      total: {
        audioFrames: this.total.audioFrames,
        audioSeconds: audioSeconds(this.total.audioBytes),
        images: this.total.images,
        audioFramesUnconfirmed: this.unconfirmed(),
      },
    });
  }
}

/** Seconds of PCM16 16 kHz audio in `bytes`, to a tenth. */
export function audioSeconds(bytes: number): number {
  return Math.round((bytes / AUDIO_BYTES_PER_SECOND) * 10) / 10;
}

/** "12 audio frame(s) (1.2 s) and 1 image(s)": what a summary says was not sent. */
export function describeDrops(s: Pick<DropSummary, 'audioFrames' | 'audioSeconds' | 'images'>): string {
  return [s.audioFrames ? `${s.audioFrames} audio frame(s) (${s.audioSeconds} s)` : '', s.images ? `${s.images} image(s)` : '']
    .filter(Boolean).join(' and ');
}
