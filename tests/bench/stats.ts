/** Small, dependency-free statistics for benchmark samples. */

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : sum(values) / values.length;
}

/** Nearest-rank percentile (p in 0..100) of the values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * A percentile bootstrap interval of sum(a) / sum(b) over paired blocks (rounds): the blocks are
 * resampled with replacement, keeping each a[i] with its b[i]. `level` is e.g. 0.95.
 */
export function bootstrapRatioInterval(a: readonly number[], b: readonly number[], random: () => number, level = 0.95, iterations = 4000): [number, number] {
  const n = Math.min(a.length, b.length);
  if (n === 0) return [NaN, NaN];
  const ratios: number[] = [];
  for (let k = 0; k < iterations; k++) {
    let top = 0;
    let bottom = 0;
    for (let j = 0; j < n; j++) {
      const i = Math.floor(random() * n);
      top += a[i] as number;
      bottom += b[i] as number;
    }
    ratios.push(top / bottom);
  }
  const tail = ((1 - level) / 2) * 100;
  return [percentile(ratios, tail), percentile(ratios, 100 - tail)];
}
