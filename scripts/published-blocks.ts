/**
 * Publishing a command's figures: its result file (committed JSON) and its generated blocks in the docs,
 * rewritten whole with bench/publish.ts's `applyBlocks`. A result with problems is refused, and every block is
 * rendered and placed before anything is written, so a refusal or a missing block writes nothing. Used by
 * scripts/soak-publish.ts and scripts/reliability-publish.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyBlocks } from '../bench/publish';

const ROOT = join(__dirname, '..');

/** What a command publishes and how. */
export interface Publication<R> {
  /** The committed result file, relative to the repository (docs/soak.json). */
  resultFile: string;
  /** Each doc (relative to the repository) and the names of the blocks it holds. */
  docs: Array<{ file: string; blocks: string[] }>;
  /** The blocks' marker: `<!-- TAG:begin NAME -->`. */
  tag: string;
  /** Why a result may not be published; empty: it may. */
  problems(r: R): string[];
  render(r: R): Record<string, string>;
}

/** Writes the result file and regenerates the blocks; throws, writing nothing, for a result that may not be published. */
export function publish<R>(p: Publication<R>, r: R): string[] {
  const problems = p.problems(r);
  if (problems.length) throw new Error(`not published:\n  ${problems.join('\n  ')}`);
  const blocks = p.render(r);
  const texts = p.docs.map((doc) => {
    const path = join(ROOT, doc.file);
    const before = readFileSync(path, 'utf8');
    return { path, before, after: applyBlocks(before, blocks, doc.blocks, p.tag) };
  });
  writeFileSync(join(ROOT, p.resultFile), `${JSON.stringify(r, null, 2)}\n`);
  for (const d of texts) if (d.after !== d.before) writeFileSync(d.path, d.after);
  return [p.resultFile, ...p.docs.map((d) => d.file)];
}

/** Regenerates the blocks from the committed result file, measuring nothing (`npx tsx scripts/<x>-publish.ts`). */
export function republish<R>(p: Publication<R>): void {
  const files = publish(p, JSON.parse(readFileSync(join(ROOT, p.resultFile), 'utf8')) as R);
  console.log(`${p.tag} figures regenerated from ${p.resultFile} in ${files.slice(1).join(', ')}`);
}
