/**
 * Pairs each utterance's source transcript with its translation. The service gives them no shared
 * id for sure (docs/protocol.md §3, "Pairing source and translation"), so:
 * - utterances are ordered by when their source item was first seen. Item ids from
 *   speech_started / committed / links count too, once one of them proved to be a transcription's
 *   item id: a source that completes after the next utterance started then keeps its place;
 * - a translation takes the source its item is linked to by `conversation.item.created`
 *   (`previous_item_id`) once such links proved to point at transcription items; else the oldest
 *   source no translation took;
 * - either side may finish first: the one finishing second carries the other's text;
 * - a failed or empty transcription, and an empty translation, still take their place.
 */
export interface Pair { utterance: number; counterpart?: string }

interface Source {
  itemId: string;
  seq: number;
  /** Final transcript; '' for a failed or empty one; undefined while pending. */
  text?: string;
  /** The final translation of the translation that took this source. */
  translation?: string;
  claimedBy?: string;
  utterance?: number;
}

interface Waiting { itemId: string; text: string; utterance: number }

/** Memory bound: a side that never arrives cannot grow these lists without bound. */
const KEEP = 64;

export class TranscriptPairing {
  private seq = 0;
  /** First-sight order of every source item id. */
  private readonly order = new Map<string, number>();
  /** Ids seen in speech/commit/link events but not (yet) in a transcription event. */
  private hints: string[] = [];
  private hintsConfirmed = false;
  private readonly links = new Map<string, string>();
  private linksConfirmed = false;
  private sources: Source[] = [];
  private waiting: Waiting[] = [];
  private numbered = 0;
  private translations = 0;

  constructor(private readonly enabled: () => boolean) {}

  /** A source item id seen in speech_started, speech_stopped, committed or a link. */
  noteSourceItem(itemId: unknown): void {
    if (typeof itemId !== 'string' || !itemId || this.order.has(itemId)) return;
    this.order.set(itemId, ++this.seq);
    if (this.order.size > KEEP * 2) this.order.delete(this.order.keys().next().value as string);
    if (this.hintsConfirmed) {
      this.slot(itemId, false);
    } else {
      this.hints.push(itemId);
      if (this.hints.length > KEEP) this.hints.shift();
    }
  }

  /** `conversation.item.created`: the translation item `translationItemId` answers `sourceItemId`. */
  link(translationItemId: unknown, sourceItemId: unknown): void {
    if (typeof translationItemId !== 'string' || typeof sourceItemId !== 'string' || !sourceItemId) return;
    this.links.set(translationItemId, sourceItemId);
    if (this.links.size > KEEP) this.links.delete(this.links.keys().next().value as string);
    this.noteSourceItem(sourceItemId);
  }

  /** A source transcription event arrived (partial, final or failure): the item takes its place. */
  noteTranscription(itemId: string): void {
    this.slot(itemId, true);
  }

  /** A source transcript is final ('' when it failed or was empty): its utterance and the translation if that came first. */
  addSource(itemId: string, text: string): Pair {
    const s = this.slot(itemId, true);
    if (s.text === undefined) s.text = text;
    return { utterance: this.number(s), counterpart: s.translation };
  }

  /** A final translation ('' for an empty one, which still takes its place): its utterance and the source if that came first. */
  addTranslation(itemId: string, text: string): Pair {
    const again = this.sources.find((x) => x.claimedBy === itemId);
    if (!again) this.translations++;
    if (!this.enabled()) return { utterance: this.translations };
    const s = again || this.claim(itemId);
    if (!s) {
      const w = this.waiting.find((x) => x.itemId === itemId);
      if (w) {
        w.text = text;
        return { utterance: w.utterance };
      }
      const unnumbered = this.sources.filter((x) => x.utterance === undefined).length;
      const utterance = this.numbered + unnumbered + this.waiting.length + 1;
      this.waiting.push({ itemId, text, utterance });
      if (this.waiting.length > KEEP) this.waiting.shift();
      return { utterance };
    }
    s.translation = text;
    return { utterance: this.number(s), counterpart: s.text || undefined };
  }

  reset(): void {
    this.seq = 0;
    this.order.clear();
    this.hints = [];
    this.hintsConfirmed = false;
    this.links.clear();
    this.linksConfirmed = false;
    this.sources = [];
    this.waiting = [];
    this.numbered = 0;
    this.translations = 0;
  }

  private slot(itemId: string, transcribed: boolean): Source {
    let s = this.sources.find((x) => x.itemId === itemId);
    if (!s) {
      const hinted = this.hints.indexOf(itemId);
      if (transcribed && hinted >= 0) {
        // The speech events' item ids are the transcription's: earlier hinted items are utterances too.
        this.hintsConfirmed = true;
        const earlier = this.hints.slice(0, hinted);
        this.hints = this.hints.slice(hinted + 1);
        for (const h of earlier) this.slot(h, false);
      }
      if (!this.linksConfirmed && transcribed) this.linksConfirmed = [...this.links.values()].includes(itemId);
      s = this.insert(itemId);
    }
    if (transcribed) this.adoptWaiting(s);
    return s;
  }

  private insert(itemId: string): Source {
    if (!this.order.has(itemId)) this.order.set(itemId, ++this.seq);
    const s: Source = { itemId, seq: this.order.get(itemId)! };
    const at = this.sources.findIndex((x) => x.seq > s.seq && x.utterance === undefined);
    if (at < 0) this.sources.push(s);
    else this.sources.splice(at, 0, s);
    if (this.sources.length > KEEP) this.sources.shift();
    return s;
  }

  /** A translation that finished before its source was seen takes it (its linked one first). */
  private adoptWaiting(s: Source): void {
    if (this.waiting.length === 0 || s.claimedBy !== undefined) return;
    let i = this.waiting.findIndex((w) => this.links.get(w.itemId) === s.itemId);
    // A translation linked to another source waits for that one, once links proved to match sources.
    if (i < 0) i = this.waiting.findIndex((w) => !this.linksConfirmed || !this.links.has(w.itemId));
    if (i < 0) return;
    const [w] = this.waiting.splice(i, 1);
    s.claimedBy = w.itemId;
    s.translation = w.text;
    s.utterance = w.utterance;
    this.numbered = Math.max(this.numbered, w.utterance);
  }

  private claim(itemId: string): Source | undefined {
    const linked = this.links.get(itemId);
    const free = (x: Source) => x.claimedBy === undefined;
    const byLink = linked !== undefined ? this.sources.find((x) => x.itemId === linked && free(x)) : undefined;
    const waitForLink = this.linksConfirmed && linked !== undefined;
    const s = byLink || (waitForLink ? undefined : this.sources.find(free));
    if (s) s.claimedBy = itemId;
    return s;
  }

  /** Utterance numbers follow the sources' order; given once, never changed. */
  private number(s: Source): number {
    if (s.utterance === undefined) {
      for (const x of this.sources) {
        if (x.utterance === undefined && x.seq <= s.seq) x.utterance = ++this.numbered;
      }
    }
    return s.utterance!;
  }
}
