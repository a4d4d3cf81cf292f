/**
 * Published figures are generated, not typed: every figure in the docs' generated blocks must be what the
 * committed results file (docs/benchmarks.json, written by `npm run bench -- --write-docs`) renders to, the
 * results file must be complete, and the prose around the blocks must not state figures of its own.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FULL_PLAN } from '../bench/node-red-rows';
import { applyBlocks, outsideBlocks, PUBLISHED, renderBlocks } from '../bench/publish';
import { RESULTS_FILE, requiredIds, rowProblems, type BenchResults } from '../bench/results-file';

const ROOT = join(__dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const results = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as BenchResults;

/** A measured figure: a number followed by a unit the bench measures in (settings are given in s, ms, Hz). */
const FIGURE = /\d[\d,.]*\s?(×|%|MiB|KiB|MB|KB|µs)(?![\w])/g;

/** The text of a section, from its heading to the next heading of the same level. */
function section(text: string, heading: string): string {
  const at = text.indexOf(`${heading}\n`);
  assert.ok(at >= 0, `section "${heading}"`);
  const level = heading.split(' ')[0];
  const next = text.indexOf(`\n${level} `, at + heading.length);
  return text.slice(at, next < 0 ? undefined : next);
}

describe('published benchmark figures', () => {
  it('the committed results file holds every figure the docs publish, each a number, each a median of >= 3 rounds', () => {
    assert.deepEqual(rowProblems(results.rows, requiredIds(FULL_PLAN.scale, FULL_PLAN.peerSessions)), []);
    assert.ok(results.rows.length >= requiredIds(FULL_PLAN.scale, FULL_PLAN.peerSessions).length);
  });

  it('a missing or NaN figure, or one round too few, is found', () => {
    const rows = results.rows.slice(1).map((r, i) => (i === 0 ? { ...r, value: NaN } : r));
    const withSpread = rows.findIndex((r) => r.spread);
    rows[withSpread] = { ...rows[withSpread], spread: { ...rows[withSpread].spread!, rounds: 2 } };
    const problems = rowProblems(rows, requiredIds(FULL_PLAN.scale, FULL_PLAN.peerSessions));
    assert.ok(problems.some((p) => p.startsWith(`missing row ${results.rows[0].id}`)), problems.join('; '));
    assert.ok(problems.some((p) => p.includes('is not a number')), problems.join('; '));
    assert.ok(problems.some((p) => p.includes('median of 2 rounds')), problems.join('; '));
  });

  for (const doc of PUBLISHED) {
    it(`${doc.file}: every generated block is what the results file renders to`, () => {
      const text = read(doc.file);
      const blocks = renderBlocks(results);
      assert.equal(applyBlocks(text, blocks, doc.blocks), text, `${doc.file} is stale: run npm run bench -- --write-docs`);
      // And the check can fail: one figure changed in the results changes the published text.
      const changed = { ...results, rows: results.rows.map((r) => ({ ...r, value: r.value * 1.5 + 1 })) };
      assert.notEqual(applyBlocks(text, renderBlocks(changed), doc.blocks), text);
    });
  }

  it('the prose around the generated blocks states no measured figure', () => {
    const prose: Array<[string, string]> = [
      ['docs/benchmarks.md', outsideBlocks(read('docs/benchmarks.md'))],
      ['docs/media.md § Figures', outsideBlocks(section(read('docs/media.md'), '## Figures'))],
      ['CONTRIBUTING.md § Performance', outsideBlocks(section(read('CONTRIBUTING.md'), '## Performance'))],
    ];
    for (const [where, text] of prose) {
      const found = text.match(FIGURE) || [];
      assert.deepEqual(found, [], `${where} states figures outside the generated blocks`);
    }
    assert.ok('runs at 681× real time'.match(FIGURE), 'the pattern finds a typed figure');
  });
});
