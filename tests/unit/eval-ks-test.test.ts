import { describe, expect, it } from 'vitest';
import { kolmogorovQ, ksTwoSample } from '../../core/eval/ks-test';
import { seededRandom } from '../support/seeded-random';

describe('the Kolmogorov distribution tail Q_KS', () => {
  // Reference values: scipy.special.kolmogorov (SciPy 1.17).
  const known: [number, number][] = [
    [0.3, 0.9999906941986655],
    [0.5, 0.9639452436648751],
    [0.8, 0.5441424115741981],
    [1.0, 0.26999967167735456],
    [1.17, 0.12939004218561884],
    [1.19, 0.11774229287977166],
    [1.36, 0.049485876755377876],
    [1.63, 0.009846364888486529],
    [2.0, 0.0006709252557796953],
    [3.0, 3.045995948942526e-8],
  ];
  it.each(known)('Q_KS(%s) = %s (both series, either side of 1.18)', (z, q) => {
    expect(kolmogorovQ(z)).toBeCloseTo(q, 10);
  });
  it('is 1 at 0, in [0, 1] everywhere, and refuses a negative or NaN argument', () => {
    expect(kolmogorovQ(0)).toBe(1);
    for (let z = 0.01; z < 10; z += 0.07) {
      expect(kolmogorovQ(z)).toBeGreaterThanOrEqual(0);
      expect(kolmogorovQ(z)).toBeLessThanOrEqual(1);
    }
    expect(() => kolmogorovQ(-1)).toThrow(RangeError);
    expect(() => kolmogorovQ(NaN)).toThrow(RangeError);
  });
});

describe('the two-sample test', () => {
  it('D is the largest gap between the empirical CDFs (scipy.stats.ks_2samp), p from Stephens-corrected Q_KS', () => {
    const r = ksTwoSample([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], [0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95])!;
    expect(r.statistic).toBeCloseTo(0.375, 12);
    // scipy.special.kolmogorov((sqrt(ne) + 0.12 + 0.11 / sqrt(ne)) * D), ne = 8 * 7 / 15
    expect(r.pValue).toBeCloseTo(0.5589877482920264, 10);
    expect([r.n, r.m]).toEqual([8, 7]);
  });

  it('ties step both samples at once (no gap opens on equal values)', () => {
    const r = ksTwoSample([1, 2, 2, 3, 3, 3], [2, 3, 3, 4, 4])!;
    expect(r.statistic).toBeCloseTo(0.4, 12);
    expect(r.pValue).toBeCloseTo(0.6520793727149006, 10);
    expect(ksTwoSample([5, 5, 5], [5, 5])!).toMatchObject({ statistic: 0, pValue: 1 });
  });

  it('order does not matter, non-finite values are dropped, an empty sample has no test', () => {
    const a = [0.9, 0.1, 0.5, 0.3];
    const b = [0.2, 0.8, 0.6];
    expect(ksTwoSample(a, b)).toEqual(ksTwoSample([...a].reverse(), [...b].reverse()));
    expect(ksTwoSample([...a, NaN, Infinity], b)).toEqual(ksTwoSample(a, b));
    expect(ksTwoSample([], b)).toBeNull();
    expect(ksTwoSample([NaN], b)).toBeNull();
  });

  it('same distribution: p is large; a shifted one: p is tiny', () => {
    const rand = seededRandom(7);
    const normal = (mean: number) => mean + Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()) * 0.05;
    const base = Array.from({ length: 300 }, () => normal(0.7));
    const same = Array.from({ length: 200 }, () => normal(0.7));
    const moved = Array.from({ length: 200 }, () => normal(0.62));
    expect(ksTwoSample(base, same)!.pValue).toBeGreaterThan(0.05);
    expect(ksTwoSample(base, moved)!.pValue).toBeLessThan(1e-6);
  });
});
