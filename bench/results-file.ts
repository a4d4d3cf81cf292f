/** The committed results file (docs/benchmarks.json): what `npm run bench -- --write-docs` writes and the docs quote. */
import { join } from 'node:path';
import type { BenchRow } from './row';
import type { MachineInfo } from './stats';

export const RESULTS_FILE = join(__dirname, '..', 'docs', 'benchmarks.json');

export interface BenchResults {
  date: string;
  /** True for a shortened run (BENCH_QUICK=1 / --quick): a smoke test of the bench, not figures to quote. */
  quick: boolean;
  seconds: number;
  machine: MachineInfo;
  loadAverageAtEnd: number;
  rows: BenchRow[];
}

/**
 * Every figure the docs publish, and so every figure a run must produce (the bench fails without one).
 * The scale and peer points are the plan's; the audio path and media rows are fixed.
 */
export function requiredIds(scale: number[], peers: number[]): string[] {
  const ids = ['audio.48k.speed', 'audio.48k.alloc', 'audio.16k.speed', 'audio.16k.alloc',
    'media.resample48k', 'media.resample48kJs', 'media.tokens1080p', 'media.tokensBudget', 'media.tokens300', 'media.imageJPEG', 'media.imagePNG',
    'media.billNoGate', 'media.billGate', 'media.speechCounted', 'media.gateOverSpeech',
    ...['input48k', 'input16k', 'framePace', 'decode', 'resample', 'gate', 'base64', 'json', 'mask', 'send'].map((k) => `profile.frame.${k}`),
    ...['parseText', 'parseAudio', 'mapText', 'mapAudio', 'cloneText', 'cloneAudio'].map((k) => `profile.event.${k}`)];
  for (const n of scale) {
    for (const k of ['cpu', 'cpuPerAudioSecond', 'sendP50', 'sendP99', 'recvP50', 'recvP99', 'framesDropped', 'stall']) ids.push(`scale.${n}.${k}`);
    for (const k of ['rss', 'heap', 'heapPerSession']) ids.push(`memory.${n}.${k}`);
  }
  ids.push('memory.rssPerSession');
  for (const n of peers) {
    for (const k of ['cpuPerAudioSecond', 'sendP50', 'sendP99', 'recvP50', 'recvP99']) {
      for (const who of ['ours', 'core', 'ratio']) ids.push(`peer.${n}.${k}.${who}`);
    }
    ids.push(`peer.${n}.framesDropped`);
  }
  return ids;
}

/** What is wrong with a set of rows: a missing figure, a duplicate, a value or spread that is not a number. */
export function rowProblems(rows: BenchRow[], required: string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.id)) problems.push(`duplicate row ${r.id}`);
    seen.add(r.id);
    const numbers = [r.value, ...(r.spread ? [r.spread.min, r.spread.max] : [])];
    if (!numbers.every(Number.isFinite)) problems.push(`${r.id} (${r.name}) is not a number: ${numbers.join(', ')}`);
    if (r.spread && r.spread.rounds < 3) problems.push(`${r.id} is a median of ${r.spread.rounds} rounds (at least 3 wanted)`);
  }
  for (const id of required) if (!seen.has(id)) problems.push(`missing row ${id}`);
  return problems;
}
