// What every benchmark suite returns and the statistics they share.

export interface Table {
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
  notes?: string[];
}

/** The median: timings on a shared machine have long upper tails. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function ratio(ours: number, baseline: number): string {
  return (ours / baseline).toFixed(2);
}
