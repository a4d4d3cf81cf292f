/**
 * Only the peer comparison of `npm run bench`, at one session count: ours and the core websocket +
 * function node flow in alternated pairs (as bench/node-red-rows.ts runs them), each pair's CPU per
 * second of audio and ratio printed as it comes, then the medians. For trying a change quickly;
 * writes no figures. Run `npm run build` first: Node-RED loads the built nodes.
 *   npx tsx bench/peer-only.ts [sessions=100] [pairs=3] [pairSeconds=30]
 */
import { loadavg } from 'node:os';
import { median } from './stats';
import { startRed } from './red';
import { startServer } from './servers';
import { runStreaming, type Kind, type StreamingResult } from './streaming';

async function main(): Promise<void> {
  const [sessions, pairs, seconds] = [Number(process.argv[2] || 100), Number(process.argv[3] || 3), Number(process.argv[4] || 30)];
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`peer only: ${sessions} sessions, ${pairs} pairs of ${seconds} s; load average ${load()}`);
  const sim = await startServer('sim');
  const red = await startRed();
  const ratios: number[] = [];
  const cpu: Record<Kind, number[]> = { ours: [], peer: [] };
  const latency: Record<Kind, number[]> = { ours: [], peer: [] };
  try {
    for (let i = 0; i < pairs; i++) {
      const order: Kind[] = i % 2 === 0 ? ['ours', 'peer'] : ['peer', 'ours'];
      const got: Partial<Record<Kind, StreamingResult>> = {};
      for (const kind of order) {
        const r = await runStreaming(red, sim, { kind, sessions, sampleRate: 16000, channels: 1, seconds, warmupSeconds: 2 });
        if (r.framesReceived !== r.framesHanded) console.log(`  ${kind}: ${r.framesReceived} frames received of ${r.framesHanded}`);
        got[kind] = r;
      }
      const [o, p] = [got.ours as StreamingResult, got.peer as StreamingResult];
      cpu.ours.push(o.cpuPerAudioSecond * 1000);
      cpu.peer.push(p.cpuPerAudioSecond * 1000);
      latency.ours.push(o.recvP50);
      latency.peer.push(p.recvP50);
      ratios.push(p.cpuPerAudioSecond / o.cpuPerAudioSecond);
      console.log(`  pair ${i + 1}: ours ${(o.cpuPerAudioSecond * 1000).toFixed(3)} ms, core ${(p.cpuPerAudioSecond * 1000).toFixed(3)} ms, `
        + `ratio ${ratios[i].toFixed(2)}×; send p50 ${o.sendP50.toFixed(2)} / ${p.sendP50.toFixed(2)} ms, recv p50 ${o.recvP50.toFixed(2)} / ${p.recvP50.toFixed(2)} ms; load ${load()}`);
    }
  } finally {
    await red.stop();
    await sim.stop();
  }
  const range = (xs: number[]) => `[${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}]`;
  console.log(`CPU per audio second: ours ${median(cpu.ours).toFixed(3)} ms ${range(cpu.ours)}, core ${median(cpu.peer).toFixed(3)} ms ${range(cpu.peer)}`);
  console.log(`ratio core ÷ ours: ${median(ratios).toFixed(2)}× ${range(ratios)}; load average ${load()}`);
  process.exit(0);
}

main().catch((e: Error) => {
  console.error(e);
  process.exit(1);
});
