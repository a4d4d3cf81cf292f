/**
 * The audio path bench in a process of its own (forked by index.ts): its minutes of as-fast-as-possible
 * audio leave the allocator at a high-water mark that would show in the Node-RED rows' memory, and a
 * Node-RED runtime run before it would slow it with a heap it does not use. Replies with its rows.
 */
import { audioPathRows } from './audio-path';
import type { BenchRow } from './row';
import { startServer } from './servers';

export interface AudioPathReply { rows?: BenchRow[]; problems?: string[]; error?: string }

async function main(): Promise<void> {
  const sink = await startServer('sink');
  const problems: string[] = [];
  try {
    const rows = await audioPathRows(sink, process.argv.includes('--quick'), problems);
    process.send!({ rows, problems } satisfies AudioPathReply);
  } finally {
    await sink.stop();
  }
}

main().then(() => process.exit(0), (e: Error) => {
  process.send!({ error: e.stack || String(e) } satisfies AudioPathReply);
  process.exit(1);
});
