/**
 * Upper bounds on wall-clock time that hold on a loaded machine.
 *
 * A timer never fires early, so a lower bound ("not before 250 ms") is safe anywhere; an upper
 * bound is not: a descheduled process or a long GC pause makes every timer late. The lag meter
 * adds up how late this process's event loop ran over an interval; a test bounds a duration by
 * its nominal limit plus that lag, so it fails when the code is slow, not when the machine is.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LagMeter {
  /** Milliseconds the event loop ran late since the meter started (sum of its delays). */
  lagMs(): number;
  stop(): void;
}

const RESOLUTION_MS = 10;

export function lagMeter(): LagMeter {
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  h.enable();
  return {
    // Each sample is the interval between two ticks of a RESOLUTION_MS timer; the lag is the excess.
    lagMs: () => (h.count === 0 ? 0 : Math.max(0, (h.mean / 1e6 - RESOLUTION_MS) * h.count)),
    stop: () => h.disable(),
  };
}
