/**
 * Publishes the reliability figures: `npm run reliability -- --write-docs` writes the result of a run in which every
 * test passed to docs/reliability.json (committed) and regenerates the docs' blocks `<!-- reliability:begin NAME -->`
 * … `<!-- reliability:end NAME -->` from it, with bench/publish.ts's block functions. test/reliability-figures.test.ts
 * fails when a block differs from what docs/reliability.json renders to.
 */
import { publish, republish, type Publication } from './published-blocks';
import { MEASURED, testsAndTime } from './reliability-measured';
import { RELIABILITY_FILES, resultProblems, type FileResult, type ReliabilityResult } from './reliability-result';

const cell = (text: string) => text.replace(/\|/g, '\\|');
const fileOf = (r: ReliabilityResult, file: string): FileResult => {
  const f = r.files.find((x) => x.file === file);
  if (!f) throw new Error(`${file} did not run`);
  return f;
};

function provenance(r: ReliabilityResult): string {
  const m = r.machine;
  const runs = [...new Set(r.files.map((f) => f.runs.length))].sort();
  return `Measured ${r.date.slice(0, 10)} by \`npm run reliability -- --write-docs\` (each test file in a mocha process of its own, `
    + `${r.jobs} at a time, ${runs.join(' or ')} run(s) per file; every test passed in every run; ${Math.round(r.wallSeconds)} s in all) `
    + `on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; Node ${m.node}; ${m.os}; load average ${m.loadAverage} at start, `
    + `${r.loadAverageAtEnd} at end. Times are wall time on that machine, shared with other work; a range is the lowest and highest run.`;
}

function measuredTable(r: ReliabilityResult): string {
  const rows = RELIABILITY_FILES.map(({ file }) => {
    const f = fileOf(r, file);
    const { tests, seconds } = testsAndTime(f);
    return `| \`${file}\` | ${f.runs.length} | ${tests} | ${seconds} s | ${cell(MEASURED[file](f)) || '(what it asserts, above)'} |`;
  });
  return [provenance(r), '', '| test | runs | tests (all passed) | time (mocha) | what it measured |', '|---|---:|---:|---:|---|', ...rows].join('\n');
}

function contributing(r: ReliabilityResult): string {
  const lines = ['test/faults.test.ts', 'test/fuzz.test.ts'].map((file) => `- \`${file}\` (${fileOf(r, file).runs.length} runs): ${MEASURED[file](fileOf(r, file))}.`);
  return [provenance(r), '', ...lines].join('\n');
}

/** The blocks' contents; throws when a figure they need is missing from the result. */
export function renderReliabilityBlocks(r: ReliabilityResult): Record<string, string> {
  return { measured: measuredTable(r), 'contributing-reliability': contributing(r) };
}

/** Why the result may not be published: resultProblems, and any figure the docs need that it lacks. */
export function publishProblems(r: ReliabilityResult): string[] {
  const out = resultProblems(r);
  try {
    renderReliabilityBlocks(r);
  } catch (e) {
    out.push(`its figures cannot be published: ${(e as Error).message}`);
  }
  return out;
}

/** What `--write-docs` writes: docs/reliability.json, and the blocks `<!-- reliability:begin NAME -->` of each doc. */
export const RELIABILITY_PUBLICATION: Publication<ReliabilityResult> = {
  resultFile: 'docs/reliability.json', tag: 'reliability',
  docs: [{ file: 'docs/reliability.md', blocks: ['measured'] }, { file: 'CONTRIBUTING.md', blocks: ['contributing-reliability'] }],
  problems: publishProblems, render: renderReliabilityBlocks,
};

/** Writes docs/reliability.json and regenerates the blocks; throws, writing nothing, for a result that may not be published. */
export function writeReliabilityDocs(r: ReliabilityResult): string[] {
  return publish(RELIABILITY_PUBLICATION, r);
}

/** `npx tsx scripts/reliability-publish.ts`: regenerate the blocks from the committed docs/reliability.json, running nothing. */
if (require.main === module) republish(RELIABILITY_PUBLICATION);
