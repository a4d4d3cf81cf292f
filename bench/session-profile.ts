/**
 * A CPU profile of N real-time sessions in steady state, summarised by where the time is spent (self time
 * per source area and the top functions). For finding what to cut; prints, writes no figures.
 *   npx tsx bench/session-profile.ts [ours|peer] [sessions=100] [seconds=10]
 */
import { inspectSteadyState } from './steady-state';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?:lib\/)?([^/]+)?/);
  if (m) return m[1] === '@node-red' || m[1] === 'node-red' ? `node-red: ${m[1]}/${m[2] || ''}` : m[1];
  if (url.startsWith('node:')) return url;
  const src = url.match(/\/(src|bench|nodes)\/(.*)$/);
  return src ? `${src[1]}/${src[2]}` : url;
}

async function main(): Promise<void> {
  const { kind, sessions, seconds, run: r, measured: profile } = await inspectSteadyState(process.argv.slice(2),
    async (post) => { await post('Profiler.enable'); await post('Profiler.setSamplingInterval', { interval: 200 }); },
    (post) => { void post('Profiler.start'); },
    async (post) => (await post<{ profile: Profile }>('Profiler.stop')).profile);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) || 0) + (profile.timeDeltas[i] || 0)));
  const byArea = new Map<string, number>();
  const byFn = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const t = self.get(n.id) || 0;
    total += t;
    const a = area(n.callFrame.url, n.callFrame.functionName);
    byArea.set(a, (byArea.get(a) || 0) + t);
    const f = `${n.callFrame.functionName || '(anonymous)'} ${a}:${n.callFrame.lineNumber + 1}`;
    byFn.set(f, (byFn.get(f) || 0) + t);
  }
  const idle = byArea.get('(idle)') || 0;
  const busy = total - idle;
  console.log(`${kind}, ${sessions} sessions, ${seconds} s: CPU per audio second ${(r.cpuPerAudioSecond * 1000).toFixed(2)} ms; profile busy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s`);
  const top = (m: Map<string, number>, k: number) => [...m].filter(([a]) => a !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, k);
  console.log('\nself time by area (% of busy):');
  for (const [a, t] of top(byArea, 25)) console.log(`  ${((100 * t) / busy).toFixed(1).padStart(5)} %  ${a}`);
  console.log('\ntop functions (% of busy):');
  for (const [f, t] of top(byFn, 30)) console.log(`  ${((100 * t) / busy).toFixed(1).padStart(5)} %  ${f}`);
  process.exit(0);
}

main().catch((e: Error) => {
  console.error(e);
  process.exit(1);
});
