/**
 * Pairs each utterance's source transcript with its translation, first in first out, as the
 * service gives no shared id between them (protocol.md §3). Either side may arrive first.
 */
export interface Pair { utterance: number; counterpart?: string }

export class TranscriptPairing {
  private sources: string[] = [];
  private translations: string[] = [];
  private sourceCount = 0;
  private translationCount = 0;

  constructor(private readonly enabled: () => boolean) {}

  /** A final source transcript arrived: its utterance number and the translation if that came first. */
  addSource(text: string): Pair {
    this.sourceCount++;
    const n = this.sourceCount;
    if (this.translations.length > 0) return { utterance: n, counterpart: this.translations.shift() };
    this.sources.push(text);
    this.trim();
    return { utterance: n };
  }

  /** A final translation arrived: its utterance number and the source transcript if that came first. */
  addTranslation(text: string): Pair {
    this.translationCount++;
    const n = this.translationCount;
    if (!this.enabled()) return { utterance: n };
    if (this.sources.length > 0) return { utterance: n, counterpart: this.sources.shift() };
    this.translations.push(text);
    this.trim();
    return { utterance: n };
  }

  reset(): void {
    this.sources = [];
    this.translations = [];
    this.sourceCount = 0;
    this.translationCount = 0;
  }

  /** A side that never arrives (a failed transcription) must not grow memory without bound. */
  private trim(): void {
    if (this.sources.length > 32) this.sources.shift();
    if (this.translations.length > 32) this.translations.shift();
  }
}
