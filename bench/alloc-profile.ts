/**
 * Where N real-time sessions allocate: V8's sampling heap profiler over the steady state (every
 * allocation, whichever collection frees it), summarised by the allocating call path.
 * For finding what to cut; prints, writes no figures.
 *   npx tsx bench/alloc-profile.ts [ours|peer] [sessions=100] [seconds=10]
 */
import { inspectSteadyState } from './steady-state';

interface SampleNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: SampleNode[] }
interface Sample { size: number; nodeId: number; ordinal: number }

async function main(): Promise<void> {
  const { kind, seconds, measured: profile } = await inspectSteadyState(process.argv.slice(2), async () => undefined,
    (post) => { void post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }); },
    async (post) => (await post<{ profile: { head: SampleNode; samples: Sample[] } }>('HeapProfiler.stopSampling')).profile);
  const byFn = new Map<string, number>();
  const stack: Array<{ n: SampleNode; path: string[] }> = [{ n: profile.head, path: [] }];
  let total = 0;
  while (stack.length) {
    const { n, path } = stack.pop()!;
    const here = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\/(src|nodes|node_modules)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
    const p = [...path, here].slice(-4);
    if (n.selfSize) { byFn.set(p.join(' < '), (byFn.get(p.join(' < ')) || 0) + n.selfSize); total += n.selfSize; }
    for (const c of n.children) stack.push({ n: c, path: p });
  }
  console.log(`${kind}: ${(total / 1e6).toFixed(1)} MB sampled (all allocations) over ${seconds} s`);
  for (const [f, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${((100 * t) / total).toFixed(1).padStart(5)} %  ${f.split(' < ').reverse().join(' < ')}`);
  process.exit(0);
}

main().catch((e: Error) => { console.error(e); process.exit(1); });
