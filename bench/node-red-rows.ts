/**
 * The Node-RED figures: how far one process scales with our nodes (CPU, latency; memory is bench/memory.ts), and
 * the same job built from core websocket + function nodes, measured in alternated pairs. Every figure is
 * the median over rounds (or pairs) with its range; a round whose frames did not all reach the service,
 * or whose frames the probe did not all see, is reported as a problem (the bench then fails).
 */
import { fromRounds, type BenchRow } from './row';
import type { EmbeddedRed } from './red';
import type { ServerProcess } from './servers';
import { runStreaming, type StreamingOptions, type StreamingResult } from './streaming';

export interface NodeRedPlan {
  scale: number[];
  scaleRounds: number;
  scaleSeconds: number;
  peerSessions: number[];
  pairs: number;
  pairSeconds: number;
  warmupSeconds: number;
}

export const FULL_PLAN: NodeRedPlan = { scale: [1, 10, 100], scaleRounds: 3, scaleSeconds: 8, peerSessions: [10, 100], pairs: 3, pairSeconds: 30, warmupSeconds: 2 };
export const QUICK_PLAN: NodeRedPlan = { scale: [1, 10, 100], scaleRounds: 3, scaleSeconds: 3, peerSessions: [10, 100], pairs: 3, pairSeconds: 3, warmupSeconds: 1 };

type Num = keyof { [K in keyof StreamingResult as StreamingResult[K] extends number ? K : never]: true };

/** Sanity of one run: every frame handed to the client reached the service and passed the probe. */
function sanity(r: StreamingResult, what: string): string[] {
  const out: string[] = [];
  if (r.framesHanded === 0) out.push(`${what}: no frames handed`);
  if (r.framesReceived !== r.framesHanded) out.push(`${what}: ${r.framesReceived} frames received of ${r.framesHanded} sent`);
  if (r.appendsSeen !== r.framesHanded) out.push(`${what}: the probe saw ${r.appendsSeen} append frames of ${r.framesHanded} sent`);
  if (r.messagesOut === 0) out.push(`${what}: no message left the flow`);
  return out;
}

async function scaleRows(red: EmbeddedRed, sim: ServerProcess, plan: NodeRedPlan, problems: string[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const n of plan.scale) {
    const runs: StreamingResult[] = [];
    for (let i = 0; i < plan.scaleRounds; i++) {
      const r = await runStreaming(red, sim, { kind: 'ours', sessions: n, sampleRate: 48000, channels: 2, seconds: plan.scaleSeconds, warmupSeconds: plan.warmupSeconds });
      problems.push(...sanity(r, `scale ${n}, round ${i + 1}`));
      runs.push(r);
    }
    const g = `scale (${n} session${n > 1 ? 's' : ''}, 48 kHz stereo in, real time; ${plan.scaleRounds} rounds of ${plan.scaleSeconds} s)`;
    const row = (key: string, name: string, unit: string, f: (r: StreamingResult) => number, note?: string) =>
      rows.push(fromRounds({ id: `scale.${n}.${key}`, group: g, name, unit, note }, runs.map(f)));
    row('cpu', 'CPU share of one core (median of 2 s windows)', '%', (r) => r.cpuShare * 100);
    row('cpuPerAudioSecond', 'CPU per second of audio', 'ms', (r) => r.cpuPerAudioSecond * 1000);
    row('sendP50', 'added latency p50, message → socket', 'ms', (r) => r.sendP50);
    row('sendP99', 'added latency p99, message → socket', 'ms', (r) => r.sendP99);
    row('recvP50', 'added latency p50, server event → message', 'ms', (r) => r.recvP50);
    row('recvP99', 'added latency p99, server event → message', 'ms', (r) => r.recvP99);
    row('framesDropped', 'frames dropped', 'frames', (r) => r.framesDropped,
      `${runs.reduce((a, r) => a + r.framesReceived, 0)} of ${runs.reduce((a, r) => a + r.framesHanded, 0)} frames reached the service`);
    row('stall', 'longest event-loop stall (gap between 10 ms driver ticks)', 'ms', (r) => r.maxTickGapMs, 'GC pauses and CPU taken by other processes show here');
  }
  return rows;
}

/** Ours and the peer, `pairs` times, alternating which goes first (drift in the machine cancels out). */
async function peerRows(red: EmbeddedRed, sim: ServerProcess, plan: NodeRedPlan, problems: string[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const n of plan.peerSessions) {
    const ours: StreamingResult[] = [];
    const peer: StreamingResult[] = [];
    for (let i = 0; i < plan.pairs; i++) {
      const o = (kind: 'ours' | 'peer'): StreamingOptions => ({ kind, sessions: n, sampleRate: 16000, channels: 1, seconds: plan.pairSeconds, warmupSeconds: plan.warmupSeconds });
      const order: Array<'ours' | 'peer'> = i % 2 === 0 ? ['ours', 'peer'] : ['peer', 'ours'];
      for (const kind of order) {
        const r = await runStreaming(red, sim, o(kind));
        problems.push(...sanity(r, `peer ${n}, pair ${i + 1}, ${kind}`));
        (kind === 'ours' ? ours : peer).push(r);
      }
    }
    const g = `peer (${n} sessions, 16 kHz mono in, ${plan.pairs} alternated pairs of ${plan.pairSeconds} s)`;
    const pair = (key: string, name: string, k: Num, unit: string, scale = 1) => {
      rows.push(fromRounds({ id: `peer.${n}.${key}.ours`, group: g, name: `${name}: ours`, unit }, ours.map((r) => r[k] * scale)));
      rows.push(fromRounds({ id: `peer.${n}.${key}.core`, group: g, name: `${name}: core websocket + function nodes`, unit }, peer.map((r) => r[k] * scale)));
      rows.push(fromRounds({ id: `peer.${n}.${key}.ratio`, group: g, name: `${name}: ratio core ÷ ours`, unit: '×', note: 'median of the pairs\' ratios; > 1: ours is lighter / faster' },
        ours.map((r, i) => peer[i][k] / r[k])));
    };
    pair('cpuPerAudioSecond', 'CPU per second of audio', 'cpuPerAudioSecond', 'ms', 1000);
    pair('sendP50', 'added latency p50, message → socket', 'sendP50', 'ms');
    pair('sendP99', 'added latency p99, message → socket', 'sendP99', 'ms');
    pair('recvP50', 'added latency p50, server event → message', 'recvP50', 'ms');
    pair('recvP99', 'added latency p99, server event → message', 'recvP99', 'ms');
    rows.push({ id: `peer.${n}.framesDropped`, group: g, name: 'frames dropped: ours + core, all pairs', value: ours.concat(peer).reduce((a, r) => a + r.framesDropped, 0), unit: 'frames' });
  }
  return rows;
}

export async function nodeRedRows(red: EmbeddedRed, sim: ServerProcess, plan: NodeRedPlan, problems: string[]): Promise<BenchRow[]> {
  return [...(await scaleRows(red, sim, plan, problems)), ...(await peerRows(red, sim, plan, problems))];
}

