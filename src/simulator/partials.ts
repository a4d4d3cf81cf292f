/**
 * How a line of partial text is spelled on the wire, in each style the service may use
 * (docs/protocol.md): `cumulative` (each `text` holds all confirmed words so far, as captured
 * frames show), `incremental` (each `text` holds only the words confirmed since the last partial,
 * as the vendor's flow table reads), or `delta` (`…delta` events whose `delta` field is the new
 * words). A tentative tail rides in `stash` unless the stash is switched off.
 */
import { textUnits } from './text';

export type PartialStyle = 'cumulative' | 'incremental' | 'delta';
export const PARTIAL_STYLES: readonly PartialStyle[] = ['cumulative', 'incremental', 'delta'];

export interface PartialFields { text?: string; stash?: string; delta?: string }

/** One growing line (a source transcript or a translation) and what its partials have confirmed so far. */
export class PartialLine {
  readonly units: string[];
  private confirmedUnits = 0;
  private started = false;

  /** @param stashUnits tentative units sent in `stash`; 0 = no `stash` field at all */
  constructor(readonly text: string, private readonly style: PartialStyle, private readonly stashUnits: number) {
    this.units = textUnits(text);
  }

  get total(): number {
    return this.units.length;
  }

  /** Units already confirmed by a partial. */
  get confirmed(): number {
    return this.confirmedUnits;
  }

  /**
   * The fields of the partial that confirms the first `j` units, or undefined when it would say
   * nothing new (nothing confirmed since the last one, or an empty first partial without a stash).
   */
  upTo(j: number): PartialFields | undefined {
    const end = Math.max(0, Math.min(this.units.length, Math.floor(j)));
    if (this.started && end <= this.confirmedUnits) return undefined;
    const from = this.style === 'cumulative' ? 0 : this.confirmedUnits;
    const piece = this.units.slice(from, end).join('');
    const stash = this.units.slice(end, end + this.stashUnits).join('');
    const news = this.units.slice(this.confirmedUnits, end).join('');
    if (!news && (this.style === 'delta' || !stash)) return undefined;
    this.started = true;
    this.confirmedUnits = end;
    if (this.style === 'delta') return { delta: piece };
    return this.stashUnits > 0 ? { text: piece, stash } : { text: piece };
  }
}
