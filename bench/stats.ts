/** Small measuring tools shared by the benchmarks: medians, percentiles, CPU time, allocation. */
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { GCProfiler, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gcFn: (() => void) | undefined;
/** A full garbage collection (V8's gc(), exposed for the measurement without a command-line flag). */
export function collectGarbage(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
}

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

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
 * Bytes allocated while it ran (JS heap plus ArrayBuffer/Buffer memory), from V8's GC profile:
 * what each collection found in use minus what the previous one left, plus the growth after
 * the last one. Counts what was allocated, not what was retained.
 */
export class AllocationMeter {
  private readonly profiler = new GCProfiler();
  private startUsed = 0;

  start(): void {
    collectGarbage();
    const m = process.memoryUsage();
    this.startUsed = m.heapUsed + m.external;
    this.profiler.start();
  }

  stop(): number {
    const m = process.memoryUsage();
    const endUsed = m.heapUsed + m.external;
    const result = this.profiler.stop();
    let total = 0;
    let prevAfter = this.startUsed;
    for (const s of result?.statistics || []) {
      const before = s.beforeGC.heapStatistics.usedHeapSize + s.beforeGC.heapStatistics.externalMemory;
      const after = s.afterGC.heapStatistics.usedHeapSize + s.afterGC.heapStatistics.externalMemory;
      total += Math.max(0, before - prevAfter);
      prevAfter = after;
    }
    total += Math.max(0, endUsed - prevAfter);
    return total;
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
