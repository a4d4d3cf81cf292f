/**
 * Builds the whole line so far (settled text + tentative tail) from partial events, whichever way
 * the service sends them (docs/protocol.md §3, "Partial texts"):
 * - `text` cumulative: each event repeats everything settled so far;
 * - `text` incremental: each event carries only the newly settled words;
 * - `delta` events: always an appended fragment;
 * - `stash`: the tentative tail after the settled text; missing or empty means none.
 * The style is read from the data, per line: a non-empty text that extends the previous non-empty
 * text means cumulative, anything else incremental. Once decided, a line keeps its style, so a
 * later fragment that happens to repeat the start of the previous one is not misread.
 */
export type PartialStyle = 'unknown' | 'cumulative' | 'incremental';

export interface Line {
  /** Settled text so far (the whole line, never a fragment). */
  text: string;
  /** Tentative tail that may still be revised ('' when the service sent none). */
  stash: string;
  style: PartialStyle;
}

interface LineState extends Line { last: string }

/** How many unfinished lines are remembered; a server that never finishes them cannot grow memory. */
const MAX_OPEN = 32;

export class PartialLines {
  private readonly open = new Map<string, LineState>();

  /** A `text` (+ optional `stash`) partial for the line `key`. */
  text(key: string, text: unknown, stash: unknown): Line {
    const s = this.state(key);
    const t = typeof text === 'string' ? text : '';
    if (t !== '') {
      if (s.style === 'unknown' && s.last !== '') s.style = t.startsWith(s.last) ? 'cumulative' : 'incremental';
      if (s.style === 'incremental') s.text += t;
      else s.text = t; // cumulative, or the first text of the line (both styles agree there)
      s.last = t;
    }
    s.stash = typeof stash === 'string' ? stash : '';
    return view(s);
  }

  /** A `delta` partial: an appended fragment, with no tentative tail. */
  delta(key: string, delta: unknown): Line {
    const s = this.state(key);
    if (typeof delta === 'string') s.text += delta;
    s.stash = '';
    if (s.style === 'unknown') s.style = 'incremental';
    return view(s);
  }

  /** The line so far, if any partial arrived for it. */
  get(key: string): Line | undefined {
    const s = this.open.get(key);
    return s ? view(s) : undefined;
  }

  forget(key: string): void {
    this.open.delete(key);
  }

  clear(): void {
    this.open.clear();
  }

  private state(key: string): LineState {
    let s = this.open.get(key);
    if (!s) {
      s = { text: '', stash: '', style: 'unknown', last: '' };
      this.open.set(key, s);
      if (this.open.size > MAX_OPEN) this.open.delete(this.open.keys().next().value as string);
    }
    return s;
  }
}

function view(s: LineState): Line {
  return { text: s.text, stash: s.stash, style: s.style };
}
