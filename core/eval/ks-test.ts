/**
 * The two-sample Kolmogorov-Smirnov test: do two samples come from the same distribution? Used
 * for query drift (query-drift.ts): recent queries' similarity to a reference centroid against
 * the reference queries' similarity to it. Small enough to write here (no statistics package is
 * installed); the formulas are those of Numerical Recipes (3rd ed., 6.14 and 14.3.3).
 *
 * Statistic: D = sup_x |F_a(x) - F_b(x)|, the largest gap between the two empirical distribution
 * functions, found by walking both sorted samples at once (a tie steps both, so equal values
 * never open a gap).
 *
 * p-value: the asymptotic Kolmogorov distribution at lambda = (sqrt(n_e) + 0.12 + 0.11 / sqrt(n_e)) * D,
 * with n_e = n * m / (n + m) the effective sample size and Stephens' correction (0.12 + 0.11/sqrt(n_e))
 * that makes it good from n_e of about 4:
 *   Q_KS(lambda) = 2 * sum_{j>=1} (-1)^(j-1) * exp(-2 j^2 lambda^2)
 * Q_KS converges slowly for small lambda; below 1.18 its complement is summed instead,
 *   P_KS(lambda) = sqrt(2 pi) / lambda * sum_{j>=1} exp(-(2j-1)^2 pi^2 / (8 lambda^2)),
 * and four terms of either series give double precision.
 */

/** Q_KS(z) = P(K > z), the Kolmogorov distribution's upper tail. */
export function kolmogorovQ(z: number): number {
  if (!(z >= 0)) throw new RangeError(`kolmogorovQ needs z >= 0 (got ${z})`);
  if (z === 0) return 1;
  if (z < 1.18) {
    // y = exp(-pi^2 / (8 z^2)); the factor sqrt(2 pi) / z written out (Numerical Recipes derives
    // it from log(y), which is -Infinity once y underflows for a tiny z: NaN instead of Q = 1).
    const y = Math.exp(-((Math.PI * Math.PI) / 8) / (z * z));
    const p = (Math.sqrt(2 * Math.PI) / z) * (y + y ** 9 + y ** 25 + y ** 49);
    return Math.min(1, Math.max(0, 1 - p));
  }
  const x = Math.exp(-2 * z * z);
  return Math.min(1, Math.max(0, 2 * (x - x ** 4 + x ** 9)));
}

export interface KsResult {
  /** D: the largest gap between the two empirical distribution functions, 0..1. */
  statistic: number;
  pValue: number;
  n: number;
  m: number;
}

const finite = (values: readonly number[]) => Float64Array.from(values.filter((v) => Number.isFinite(v))).sort();

/** The test on two samples (non-finite values are dropped); null when either is empty. */
export function ksTwoSample(a: readonly number[], b: readonly number[]): KsResult | null {
  const x = finite(a);
  const y = finite(b);
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) return null;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < n && x[i] === v) i++;
    while (j < m && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  const ne = Math.sqrt((n * m) / (n + m));
  return { statistic: d, pValue: kolmogorovQ((ne + 0.12 + 0.11 / ne) * d), n, m };
}
