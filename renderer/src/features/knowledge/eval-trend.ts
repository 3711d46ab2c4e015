/**
 * What the Knowledge view shows of the kept evaluation runs: the latest run, its scores per mode,
 * and the trend of the set it evaluated (the hybrid row, the mode every chat retrieves with).
 */
import { rankedMode, type KbEvalRun } from '../../../../core/common';

/** The cutoffs of Hit@k a run reports, smallest first. */
export function hitCutoffs(run: KbEvalRun): number[] {
  const ks = new Set<number>();
  for (const m of run.modes) for (const k of Object.keys(m.hitRate)) if (/^\d{1,3}$/.test(k)) ks.add(Number(k));
  return [...ks].sort((a, b) => a - b);
}

export interface TrendColumns {
  /** Epoch seconds, oldest first. */
  time: number[];
  mrr: (number | null)[];
  /** Hit@5, the cutoff the LowHitRateAtK alert watches (a gap when a run did not report it). */
  hit: (number | null)[];
}

/** The runs of one set over time (their order in time, whatever order they came in). */
export function trendOf(runs: readonly KbEvalRun[], set: string | undefined): TrendColumns {
  const mine = runs
    .filter((r) => r.set === set)
    .map((r) => ({ r, t: Date.parse(r.at) / 1000 }))
    .filter((x) => Number.isFinite(x.t))
    .sort((a, b) => a.t - b.t);
  return {
    time: mine.map((x) => x.t),
    mrr: mine.map((x) => rankedMode(x.r)?.mrr ?? null),
    hit: mine.map((x) => rankedMode(x.r)?.hitRate[5] ?? null),
  };
}
