/**
 * Writes the figures of a results file into the docs: each figure lives in a generated block between
 * `<!-- bench:begin NAME -->` and `<!-- bench:end NAME -->`, rewritten whole; the prose around the blocks
 * gives no figure of its own. test/bench-figures.test.ts fails when a published block differs from what the
 * committed results file renders to.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_FILE, type BenchResults } from './results-file';
import type { BenchRow } from './row';
import { fmt } from './stats';

const ROOT = join(__dirname, '..');

/** The docs that carry figures, and the blocks each one holds. */
export const PUBLISHED: Array<{ file: string; blocks: string[] }> = [
  { file: 'CONTRIBUTING.md', blocks: ['contributing-performance'] },
  { file: 'docs/benchmarks.md', blocks: ['targets', 'profile', 'results'] },
  { file: 'docs/media.md', blocks: ['media'] },
];

function row(results: BenchResults, id: string): BenchRow {
  const r = results.rows.find((x) => x.id === id);
  if (!r) throw new Error(`the results file has no row ${id}`);
  return r;
}

function spread(r: BenchRow): string {
  return r.spread ? `${fmt(r.spread.min)}–${fmt(r.spread.max)} (${r.spread.rounds})` : '';
}

function provenance(results: BenchResults): string {
  const m = results.machine;
  const lines = [`Measured ${results.date.slice(0, 10)} by \`npm run bench -- --write-docs\` (${Math.round(results.seconds / 60)} min) on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; `
    + `Node ${m.node}; ${m.os}; load average ${m.loadAverage} at start, ${results.loadAverageAtEnd} at end. Values are medians; the range is the lowest and highest round (number of rounds).`];
  if (results.quick) lines.push('', '**A shortened smoke run of the bench (`--quick`): these figures show the bench works, they are not figures to quote.**');
  return lines.join('\n');
}

/** Rows as a table of figure, value, range. */
function table(results: BenchResults, ids: string[], label = (r: BenchRow) => r.name): string {
  const out = ['| figure | value | range (rounds) |', '|---|---:|---|'];
  for (const id of ids) {
    const r = row(results, id);
    out.push(`| ${label(r)} | ${fmt(r.value)} ${r.unit} | ${spread(r)} |`);
  }
  return out.join('\n');
}

function summary(results: BenchResults): string {
  const ids = ['audio.48k.speed', 'audio.16k.speed', 'media.resample48k',
    'scale.1.sendP50', 'scale.1.sendP99', 'scale.1.recvP50', 'scale.1.recvP99',
    'scale.10.cpu', 'scale.100.cpu', 'scale.100.sendP99', 'scale.100.recvP99', 'scale.100.framesDropped',
    'memory.1.heapPerSession', 'memory.10.heapPerSession', 'memory.100.heapPerSession', 'memory.rssPerSession',
    'memory.1.rss', 'memory.100.rss',
    'peer.10.cpuPerAudioSecond.ratio', 'peer.100.cpuPerAudioSecond.ratio', 'peer.100.sendP50.ratio', 'peer.100.recvP50.ratio',
    'media.imageJPEG', 'media.imagePNG'];
  const label = (r: BenchRow) => (/^(scale|peer|memory)\./.test(r.id) ? `${r.group.replace(/;.*\)$/, ')')}: ${r.name}` : r.name);
  return [provenance(results), '', table(results, ids, label)].join('\n');
}

function all(results: BenchResults): string {
  const out = [provenance(results), '', '| group | figure | value | unit | range (rounds) | note |', '|---|---|---:|---|---|---|'];
  for (const r of results.rows) out.push(`| ${r.group} | ${r.name} | ${fmt(r.value)} | ${r.unit} | ${spread(r)} | ${r.note || ''} |`);
  return out.join('\n');
}

function targets(results: BenchResults): string {
  const v = (id: string) => row(results, id).value;
  const check = (ok: boolean) => (ok ? 'met' : '**not met**');
  const lines: Array<[string, string, boolean]> = [
    ['audio path ≥ 1,000× real time, 48 kHz stereo → 16 kHz frames on a socket', `${fmt(v('audio.48k.speed'))}×`, v('audio.48k.speed') >= 1000],
    ['resampling alone ≥ 1,000× real time, 48 kHz stereo → 16 kHz', `${fmt(v('media.resample48k'))}×`, v('media.resample48k') >= 1000],
    ['p99 < 1 ms server event → message (1 session)', `${fmt(v('scale.1.recvP99'))} ms`, v('scale.1.recvP99') < 1],
    ['p99 < 2 ms message → socket (1 session)', `${fmt(v('scale.1.sendP99'))} ms`, v('scale.1.sendP99') < 2],
    ['100 real-time sessions in less than one core', `${fmt(v('scale.100.cpu'))} % of one core`, v('scale.100.cpu') < 100],
    ['no frame dropped at 100 sessions', `${fmt(v('scale.100.framesDropped'))} frames`, v('scale.100.framesDropped') === 0],
    ['≥ 1.5× less CPU than the core-node flow at 100 sessions', `${fmt(v('peer.100.cpuPerAudioSecond.ratio'))}×`, v('peer.100.cpuPerAudioSecond.ratio') >= 1.5],
    ['less latency than the core-node flow at 100 sessions (p50, both directions)',
      `${fmt(v('peer.100.sendP50.ratio'))}× / ${fmt(v('peer.100.recvP50.ratio'))}×`, v('peer.100.sendP50.ratio') > 1 && v('peer.100.recvP50.ratio') > 1],
  ];
  return ['| target | measured (median) | |', '|---|---|---|', ...lines.map(([t, m, ok]) => `| ${t} | ${m} | ${check(ok)} |`)].join('\n');
}

function media(results: BenchResults): string {
  return [provenance(results), '', table(results, results.rows.filter((r) => r.group === 'media').map((r) => r.id))].join('\n');
}

/** Each step of the steady state, against the whole session's CPU per frame measured at 10 and 100 sessions. */
function profile(results: BenchResults): string {
  const ids = results.rows.filter((r) => r.id.startsWith('profile.')).map((r) => r.id);
  const perFrame = (n: number) => (row(results, `scale.${n}.cpuPerAudioSecond`).value * 1000) / 10;
  const lines = [table(results, ids, (r) => `${r.group.startsWith('profile: per server') ? 'event' : 'frame'}: ${r.name}`), '',
    '| whole session, 48 kHz stereo in (scale rows: CPU per second of audio ÷ 10) | µs of CPU per 100 ms frame |', '|---|---:|'];
  for (const n of [10, 100]) lines.push(`| ${n} sessions | ${fmt(perFrame(n))} |`);
  return lines.join('\n');
}

export function renderBlocks(results: BenchResults): Record<string, string> {
  return { profile: profile(results), 'contributing-performance': summary(results), targets: targets(results), results: all(results), media: media(results) };
}

/**
 * A block's markers name the command that writes it: `bench` (this file) or `soak` (scripts/soak-publish.ts),
 * as in `<!-- soak:begin NAME -->`.
 */
const BLOCK = (name: string, tag: string) => new RegExp(`(<!-- ${tag}:begin ${name} -->\\n)[\\s\\S]*?(<!-- ${tag}:end ${name} -->)`, 'g');

/** The text with each named block's content replaced; throws when a block is missing or repeated. */
export function applyBlocks(text: string, blocks: Record<string, string>, names: string[], tag = 'bench'): string {
  let out = text;
  for (const name of names) {
    const found = out.match(BLOCK(name, tag));
    if (!found || found.length !== 1) throw new Error(`expected one generated block "${name}", found ${found ? found.length : 0}`);
    out = out.replace(BLOCK(name, tag), (_m, begin: string, end: string) => `${begin}${blocks[name]}\n${end}`);
  }
  return out;
}

/** The text outside every generated block (the prose, which must give no figure of its own). */
export function outsideBlocks(text: string, tag = 'bench'): string {
  return text.replace(new RegExp(`<!-- ${tag}:begin (\\S+) -->[\\s\\S]*?<!-- ${tag}:end \\1 -->`, 'g'), '');
}

export function writeDocs(results: BenchResults): string[] {
  const blocks = renderBlocks(results);
  const written: string[] = [];
  for (const doc of PUBLISHED) {
    const path = join(ROOT, doc.file);
    const before = readFileSync(path, 'utf8');
    const after = applyBlocks(before, blocks, doc.blocks);
    if (after !== before) writeFileSync(path, after);
    written.push(doc.file);
  }
  return written;
}

/** `npx tsx bench/publish.ts`: regenerate the docs' figures from the committed results file, measuring nothing. */
if (require.main === module) {
  const files = writeDocs(JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as BenchResults);
  console.log(`figures regenerated from docs/benchmarks.json in ${files.join(', ')}`);
}
