/**
 * One section of the bench in a process of its own (forked by index.ts), replying with its rows.
 * - The audio path: its minutes of as-fast-as-possible audio leave the allocator at a high-water mark
 *   that would show in the Node-RED rows' memory.
 * - Media and profile: run after 100 Node-RED sessions in the same process, their timings swung by a
 *   third from run to run with that runtime's heap still around (resampling alone: 884–1,518× real time).
 *
 * - Memory: N sessions in a runtime that ran nothing before (bench/memory.ts).
 *
 *   tsx bench/section-process.ts <audio-path|media|profile|memory N> [--quick]
 */
import { audioPathRows } from './audio-path';
import { memoryRound } from './memory';
import { mediaRows } from './media';
import { profileRows } from './profile';
import type { BenchRow } from './row';
import { startServer } from './servers';

export type SectionName = 'audio-path' | 'media' | 'profile' | 'memory';
export interface SectionReply { rows?: BenchRow[]; problems?: string[]; error?: string }

async function audioPath(quick: boolean, problems: string[]): Promise<BenchRow[]> {
  const sink = await startServer('sink');
  try {
    return await audioPathRows(sink, quick, problems);
  } finally {
    await sink.stop();
  }
}

const SECTIONS: Record<SectionName, (quick: boolean, problems: string[], arg: string | undefined) => Promise<BenchRow[]>> = {
  'audio-path': audioPath,
  media: (quick) => mediaRows(quick),
  profile: (quick) => profileRows(quick),
  memory: (quick, _problems, sessions) => memoryRound(Number(sessions), quick),
};

async function main(): Promise<void> {
  const name = process.argv[2] as SectionName;
  const run = SECTIONS[name];
  if (!run) throw new Error(`bench: no section "${name}" (${Object.keys(SECTIONS).join(', ')})`);
  const problems: string[] = [];
  const arg = process.argv.slice(3).find((a) => !a.startsWith('--'));
  const rows = await run(process.argv.includes('--quick'), problems, arg);
  process.send!({ rows, problems } satisfies SectionReply);
}

main().then(() => process.exit(0), (e: Error) => {
  process.send!({ error: e.stack || String(e) } satisfies SectionReply);
  process.exit(1);
});
