/**
 * Text measures the simulator needs: how a line grows word by word in cumulative partials, how
 * long it takes to say, and roughly how many tokens it costs. Scripts without spaces between
 * words (Chinese, Japanese) and Hangul syllables count per character.
 */

/** Characters spoken one per syllable: CJK punctuation, kana, ideographs, Hangul, full-width forms. */
const WIDE = /[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/u;
const TOKEN = /\s*(?:[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]|[^\s\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+)/gu;

/**
 * Splits text into the units a partial grows by: words with their leading whitespace, or single
 * wide characters. Joining the units gives back the text (without trailing whitespace).
 */
export function textUnits(text: string): string[] {
  return text.trimEnd().match(TOKEN) || [];
}

export function isWideChar(ch: string): boolean {
  return WIDE.test(ch);
}

export interface Partial { text: string; stash: string }

/**
 * Cumulative partials as the service sends them: each carries all confirmed units so far (`text`)
 * and the next `stashUnits` tentative units (`stash`). The last one holds the whole text.
 */
export function cumulativePartials(text: string, stashUnits = 1, startEmpty = false): Partial[] {
  const units = textUnits(text);
  const out: Partial[] = [];
  for (let j = startEmpty ? 0 : 1; j <= units.length; j++) {
    out.push({ text: units.slice(0, j).join(''), stash: units.slice(j, j + stashUnits).join('') });
  }
  return out;
}

/** Milliseconds a voice takes to say the text: ~70 ms per latin character, ~200 ms per wide one. */
export function speakingTimeMs(text: string, latinMs = 70, wideMs = 200): number {
  let ms = 0;
  for (const ch of text.trim()) ms += isWideChar(ch) ? wideMs : latinMs;
  return ms;
}

/** A simple token estimate: one per wide character, one per 4 other non-space characters. */
export function estimateTextTokens(text: string): number {
  let wide = 0;
  let other = 0;
  for (const ch of text) {
    if (isWideChar(ch)) wide++;
    else if (!/\s/u.test(ch)) other++;
  }
  return wide + Math.ceil(other / 4);
}
