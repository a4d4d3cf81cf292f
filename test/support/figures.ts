/**
 * The figures a test measured, for `npm run reliability` (scripts/reliability.ts), which publishes them in
 * docs/reliability.md. When the environment variable LIVETRANSLATE_FIGURES names a file, each call appends one
 * JSON line `{"file": …, "test": <mocha's full title>, "figures": {…}}` to it; without the variable a call does nothing, so
 * the tests behave the same in `npm test`. Record what the run measured, never a constant of the test.
 */
import { appendFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** One line a call appends: the test file (when mocha knows it), the test (or hook) by its full title, and what it measured. */
export interface FigureLine {
  file?: string;
  test: string;
  figures: Record<string, unknown>;
}

/** Appends `figures` for `runnable` (`this.test` in a test or hook) to $LIVETRANSLATE_FIGURES, if it is set. */
export function recordFigures(runnable: Mocha.Runnable | undefined, figures: Record<string, unknown>): void {
  const file = process.env.LIVETRANSLATE_FIGURES;
  if (!file || !runnable) return;
  const line: FigureLine = { file: runnable.file && relative(ROOT, runnable.file).split('\\').join('/'), test: runnable.fullTitle(), figures };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}
