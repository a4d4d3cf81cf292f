/** Small measuring tools shared by the benchmarks: medians, percentiles, CPU time, allocation. */
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { GCProfiler, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gcFn: (() => void) | undefined;
/** A full garbage collection (V8's gc(), exposed for the measurement without a command-line flag). */
export function collectGarbage(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    // Sweep dead ArrayBuffers inside the collection, so its "after" figure no longer counts them (swept
    // concurrently, they left the figure later, and the allocation meter missed that much).
    setFlagsFromString('--no-concurrent-array-buffer-sweeping');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
}

/**
 * process.memoryUsage() once the process has settled: what a closed flow left (sockets closing, timers)
 * finishes first, and two full collections run a little apart, so that a figure taken before a deploy
 * and one after it differ by what the deploy keeps, not by the garbage of the run before.
 */
export async function settledMemory(settleMs = 500): Promise<NodeJS.MemoryUsage> {
  await sleep(settleMs);
  collectGarbage();
  await sleep(100);
  collectGarbage();
  return process.memoryUsage();
}

export { median } from './row';

/** Nearest-rank percentile (p in 0..100) of the values; NaN for none. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank];
}

/** CPU seconds (user + system) this process used since `since` (a process.cpuUsage() value). */
export function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

export function nowMs(): number {
  return performance.now();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Bytes allocated while it ran (JS heap plus ArrayBuffer/Buffer memory), from V8's GC profile: what each
 * collection found in use minus what the previous one left. Every figure comes from the profile itself: a
 * full collection recorded at start() gives the baseline and one at stop() closes the profile, so what was
 * allocated after the last automatic collection is counted too. (Taking the baseline from
 * v8.getHeapStatistics() or process.memoryUsage() instead mixes sources whose external-memory figures
 * differ by megabytes: it read 245 KiB per audio second in one run and 0 in the next.) Counts what was
 * allocated, not what was retained.
 */
export class AllocationMeter {
  private readonly profiler = new GCProfiler();

  start(): void {
    collectGarbage();
    this.profiler.start();
    collectGarbage();
  }

  /** What the last stop() counted, apart: the JS heap, and ArrayBuffer/Buffer memory outside it. */
  lastParts = { heap: 0, external: 0 };

  stop(): number {
    collectGarbage();
    const stats = this.profiler.stop()?.statistics || [];
    if (stats.length < 2) throw new Error(`bench: the GC profile recorded ${stats.length} collections, not even the two forced ones`);
    const parts = { heap: 0, external: 0 };
    let prev = stats[0].afterGC.heapStatistics;
    for (const s of stats.slice(1)) {
      const before = s.beforeGC.heapStatistics;
      parts.heap += Math.max(0, before.usedHeapSize - prev.usedHeapSize);
      parts.external += Math.max(0, before.externalMemory - prev.externalMemory);
      prev = s.afterGC.heapStatistics;
    }
    this.lastParts = parts;
    return parts.heap + parts.external;
  }
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1-minute load average when the bench started: above the core count, other work competed. */
  loadAverage: number;
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cpu: (c[0] && c[0].model.trim()) || 'unknown',
    cores: c.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
    loadAverage: Math.round(loadavg()[0] * 10) / 10,
  };
}

/** Rounds for display: 3 significant digits, whole numbers above 1000. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a === 0) return '0';
  return Number(v.toPrecision(3)).toString();
}
