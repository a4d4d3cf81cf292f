/**
 * The soak's verdict: it fails on any audio frame that did not reach the service (dropped by the
 * buffer bound or a failed write) and on memory growth after the warm-up hour.
 */
export interface SoakFigures {
  simulatedHours: number;
  /** Per session. */
  clientStats: Array<{ audioFramesAppended: number; audioFramesSent: number; audioFramesDropped: number; audioFramesFailed: number }>;
  /** RSS after GC, from the end of simulated hour 1 to the end (undefined for runs of an hour or less). */
  rssGrowthFromHour1MB: number | undefined;
}

/** RSS growth after the first hour at or above this fails the soak. */
export const MAX_RSS_GROWTH_MB = 10;

/** The reasons the soak fails (empty: it passes). */
export function soakFailures(f: SoakFigures): string[] {
  const out: string[] = [];
  f.clientStats.forEach((s, i) => {
    if (s.audioFramesDropped > 0) out.push(`session ${i}: ${s.audioFramesDropped} of ${s.audioFramesAppended} audio frames dropped`);
    if (s.audioFramesFailed > 0) out.push(`session ${i}: ${s.audioFramesFailed} audio frames failed to write`);
    if (s.audioFramesSent < s.audioFramesAppended - s.audioFramesDropped) out.push(`session ${i}: ${s.audioFramesAppended - s.audioFramesSent - s.audioFramesDropped} audio frames never sent`);
  });
  if (f.clientStats.every((s) => s.audioFramesAppended === 0)) out.push('no audio was pushed');
  if (f.rssGrowthFromHour1MB !== undefined && f.rssGrowthFromHour1MB >= MAX_RSS_GROWTH_MB) {
    out.push(`RSS grew ${f.rssGrowthFromHour1MB} MB after hour 1 (limit ${MAX_RSS_GROWTH_MB} MB)`);
  }
  return out;
}
