/**
 * Publishes a soak: `npm run soak -- --write-docs` writes the result of a passing run with the default
 * settings to docs/soak.json (committed) and its figures into the docs' generated blocks
 * (`<!-- soak:begin NAME -->` … `<!-- soak:end NAME -->`, rewritten whole by bench/publish.ts's block
 * functions). test/soak-figures.test.ts fails when a block differs from what docs/soak.json renders to.
 */
import { join } from 'node:path';
import { publish, republish, type Publication } from './published-blocks';
import { DEFAULT_SETTINGS, type SoakResult, type SoakSettings } from './soak-result';
import { MAX_RSS_GROWTH_MB, soakFailures } from './soak-verdict';

const ROOT = join(__dirname, '..');
export const SOAK_DOCS_FILE = join(ROOT, 'docs/soak.json');
/** The marker of the soak's blocks: `<!-- soak:begin NAME -->`. */
export const SOAK_TAG = 'soak';
/** The docs that carry the soak's figures, and the blocks each one holds. */
export const SOAK_PUBLISHED: Array<{ file: string; blocks: string[] }> = [
  { file: 'docs/reliability.md', blocks: ['soak-figures'] },
  { file: 'README.md', blocks: ['soak-readme'] },
];

const FRAMES_PER_HOUR = 36000;
const ENV_NAME: Record<keyof SoakSettings, string> = {
  hours: 'SOAK_HOURS', sessions: 'SOAK_SESSIONS', calibrationMinutes: 'SOAK_CALIBRATION_MINUTES', textOnly: 'SOAK_TEXT_ONLY',
};

/** Why a run with these settings (and these diagnostics in the environment) may not be published; empty: it may. */
export function settingsProblems(s: SoakSettings, env: NodeJS.ProcessEnv = {}): string[] {
  const out: string[] = [];
  for (const key of Object.keys(DEFAULT_SETTINGS) as Array<keyof SoakSettings>) {
    if (s[key] !== DEFAULT_SETTINGS[key]) out.push(`${ENV_NAME[key]} gives ${key} ${s[key]}, not the default ${DEFAULT_SETTINGS[key]}`);
  }
  for (const name of ['SOAK_SNAPSHOT', 'SOAK_PROBE']) if (env[name]) out.push(`${name} is set: its diagnostics change what is measured`);
  return out;
}

/** Why a result may not be published; empty: it is a complete, passing run with the default settings. */
export function publishProblems(r: SoakResult): string[] {
  const out = settingsProblems({ hours: r.simulatedHoursPerSession, sessions: r.sessions, calibrationMinutes: r.calibrationMinutes, textOnly: r.textOnly });
  if (r.failures.length) out.push(`the soak failed: ${r.failures.join('; ')}`);
  const verdict = soakFailures({ simulatedHours: r.simulatedHoursPerSession, clientStats: r.clientStats, rssGrowthFromHour1MB: r.growthFromHour1.rssMB });
  if (verdict.length) out.push(`its figures fail the verdict: ${verdict.join('; ')}`);
  const numbers: Array<[string, unknown]> = [
    ['wallSeconds', r.wallSeconds], ['speedup', r.speedup], ['translations', r.translations], ['framesAppended', r.framesAppended],
    ['framesSent', r.framesSent], ['framesDropped', r.framesDropped], ['rotations', r.rotations], ['connections', r.connections],
    ['growthFromHour1.rssMB', r.growthFromHour1.rssMB], ['growthFromHour1.heapMB', r.growthFromHour1.heapMB],
    ['growthFromHour1.externalMB', r.growthFromHour1.externalMB], ['machine.cores', r.machine?.cores],
    ['machine.loadAverage', r.machine?.loadAverage], ['loadAverageAtEnd', r.loadAverageAtEnd],
  ];
  for (const [name, v] of numbers) if (typeof v !== 'number' || !Number.isFinite(v)) out.push(`${name} is not a number`);
  if (!r.machine?.cpu || !r.machine?.node || Number.isNaN(Date.parse(r.date))) out.push('the machine or the date is missing');
  const total = (f: (s: SoakResult['clientStats'][number]) => number) => r.clientStats.reduce((n, s) => n + f(s), 0);
  const sums: Array<[string, number, number]> = [
    ['framesAppended', r.framesAppended, total((s) => s.audioFramesAppended)], ['framesSent', r.framesSent, total((s) => s.audioFramesSent)],
    ['framesDropped', r.framesDropped, total((s) => s.audioFramesDropped + s.audioFramesFailed)],
    ['rotations', r.rotations, total((s) => s.rotations)], ['connections', r.connections, total((s) => s.connects)],
  ];
  for (const [name, v, t] of sums) if (v !== t) out.push(`${name} ${v} is not the sessions' sum ${t}`);
  if (r.clientStats.length !== r.sessions) out.push(`${r.clientStats.length} sessions' counts for ${r.sessions} sessions`);
  const expected = r.simulatedHoursPerSession * r.sessions * FRAMES_PER_HOUR;
  if (r.framesAppended !== expected) out.push(`${r.framesAppended} frames handed over, not the ${expected} of the whole run`);
  return out;
}

const count = (n: number) => n.toLocaleString('en-US');
/** A growth in MB with its sign (− for shrinking). */
const signedMB = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : ''}${Math.abs(n)} MB`;

function figures(r: SoakResult): string {
  const m = r.machine;
  const span = `hour 1 → hour ${r.simulatedHoursPerSession}`;
  const rows: Array<[string, string]> = [
    ['audio frames handed over to the client', count(r.framesAppended)],
    ['audio frames sent', count(r.framesSent)],
    ['audio frames dropped or failed', count(r.framesDropped)],
    ['translations (final ones, all sessions)', count(r.translations)],
    ['renewals (rotations)', count(r.rotations)],
    ['connections', count(r.connections)],
    [`RSS growth after GC, ${span}`, `${signedMB(r.growthFromHour1.rssMB)} (the verdict fails at ${MAX_RSS_GROWTH_MB} MB)`],
    [`heap growth after GC, ${span}`, signedMB(r.growthFromHour1.heapMB)],
    [`external memory growth after GC, ${span}`, signedMB(r.growthFromHour1.externalMB)],
    ['wall time', `${count(r.wallSeconds)} s (${count(r.speedup)}× real time)`],
  ];
  return [
    `Measured ${r.date.slice(0, 10)} by \`npm run soak -- --write-docs\` (${r.simulatedHoursPerSession} simulated hours on each of ${r.sessions} sessions; `
      + `it passed its verdict) on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; Node ${m.node}; ${m.os}; `
      + `load average ${m.loadAverage} at start, ${r.loadAverageAtEnd} at end.`,
    '',
    '| figure | value |',
    '|---|---:|',
    ...rows.map(([name, value]) => `| ${name} | ${value} |`),
  ].join('\n');
}

function readme(r: SoakResult): string {
  return `\`npm run soak\` (${r.simulatedHoursPerSession} simulated hours × ${r.sessions} sessions, ${r.date.slice(0, 10)}): `
    + `${count(r.framesAppended)} audio frames handed over, ${count(r.framesSent)} sent, ${count(r.framesDropped)} dropped; `
    + `RSS ${signedMB(r.growthFromHour1.rssMB)} from hour 1 to hour ${r.simulatedHoursPerSession}.`;
}

export function renderSoakBlocks(r: SoakResult): Record<string, string> {
  return { 'soak-figures': figures(r), 'soak-readme': readme(r) };
}

const SOAK_PUBLICATION: Publication<SoakResult> = {
  resultFile: 'docs/soak.json', docs: SOAK_PUBLISHED, tag: SOAK_TAG, problems: publishProblems, render: renderSoakBlocks,
};

/** Writes docs/soak.json and regenerates the blocks; throws, writing nothing, for a result that may not be published. */
export function writeSoakDocs(r: SoakResult): string[] {
  return publish(SOAK_PUBLICATION, r);
}

/** `npx tsx scripts/soak-publish.ts`: regenerate the docs' soak figures from the committed docs/soak.json, measuring nothing. */
if (require.main === module) republish(SOAK_PUBLICATION);
