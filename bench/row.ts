/** One figure of the benchmark table, and how rounds become one. */

/** How the rounds behind a figure spread: the figure is their median. */
export interface Spread {
  min: number;
  max: number;
  rounds: number;
}

export interface BenchRow {
  /** Stable key: the docs cite figures by it, the checks look rows up by it. */
  id: string;
  group: string;
  name: string;
  value: number;
  unit: string;
  spread?: Spread;
  note?: string;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** A row whose value is the median of `rounds`, with their range. */
export function fromRounds(row: Omit<BenchRow, 'value' | 'spread'>, rounds: number[]): BenchRow {
  return { ...row, value: median(rounds), spread: { min: Math.min(...rounds), max: Math.max(...rounds), rounds: rounds.length } };
}
