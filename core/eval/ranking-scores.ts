/**
 * Retrieval-quality metrics over one ranked list, pure so they can be checked by hand.
 *
 * A ranked list is the documents of the results in rank order (one entry per retrieved chunk, so a
 * document may repeat); `relevant` is the set of documents that answer the query (binary
 * relevance). A document counts once: the first chunk of a relevant document is a hit, later
 * chunks of it gain nothing, so NDCG stays within 0..1 and a list of five chunks of one relevant
 * file is not "five hits".
 */

/** 1-based rank of the first relevant entry, or null when none is relevant. */
export function firstRelevantRank(ranked: readonly string[], relevant: ReadonlySet<string>): number | null {
  const at = ranked.findIndex((doc) => relevant.has(doc));
  return at < 0 ? null : at + 1;
}

/** 1 / rank of the first relevant entry (0 when none); its mean over queries is the MRR. */
export function reciprocalRank(ranked: readonly string[], relevant: ReadonlySet<string>): number {
  const rank = firstRelevantRank(ranked, relevant);
  return rank === null ? 0 : 1 / rank;
}

/** 1 when a relevant entry is among the first k, else 0 (its mean is Hit@k, the hit rate). */
export function hitAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): 0 | 1 {
  const rank = firstRelevantRank(ranked, relevant);
  return rank !== null && rank <= k ? 1 : 0;
}

/** Binary gains: 1 at the first occurrence of each relevant document, 0 elsewhere. */
export function gainsOf(ranked: readonly string[], relevant: ReadonlySet<string>): number[] {
  const seen = new Set<string>();
  return ranked.map((doc) => {
    if (!relevant.has(doc) || seen.has(doc)) return 0;
    seen.add(doc);
    return 1;
  });
}

/** Discounted cumulative gain of the first k gains: sum of gain_i / log2(i + 1), i from 1. */
export function dcgAtK(gains: readonly number[], k: number): number {
  let dcg = 0;
  for (let i = 0; i < Math.min(k, gains.length); i++) dcg += gains[i]! / Math.log2(i + 2);
  return dcg;
}

/** NDCG@k: DCG of the list over the DCG of the ideal list (every relevant document first). */
export function ndcgAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  const ideal = dcgAtK(new Array<number>(relevant.size).fill(1), k);
  return ideal === 0 ? 0 : dcgAtK(gainsOf(ranked, relevant), k) / ideal;
}

/** Hit@k cutoffs reported: the seed's 1, 3, 5, 10 up to the retrieval depth, and the depth itself. */
export function hitCutoffs(depth: number): number[] {
  return [...new Set([...[1, 3, 5, 10].filter((k) => k <= depth), depth])].sort((a, b) => a - b);
}

export interface QueryScores {
  /** Rank of the first relevant result within the depth, or null. */
  rank: number | null;
  reciprocalRank: number;
  hits: Record<number, 0 | 1>;
  ndcg: number;
}

/** The scores of one query's ranked list. */
export function scoreQuery(ranked: readonly string[], relevant: ReadonlySet<string>, depth: number): QueryScores {
  const list = ranked.slice(0, depth);
  const hits: Record<number, 0 | 1> = {};
  for (const k of hitCutoffs(depth)) hits[k] = hitAtK(list, relevant, k);
  return { rank: firstRelevantRank(list, relevant), reciprocalRank: reciprocalRank(list, relevant), hits, ndcg: ndcgAtK(list, relevant, depth) };
}

export interface MeanScores {
  queries: number;
  mrr: number;
  /** Hit rate at each cutoff (share of queries with a relevant result in the first k). */
  hitRate: Record<number, number>;
  /** Mean NDCG at the depth. */
  ndcg: number;
}

/** Means over queries (all zero for no queries). */
export function meanScores(scores: readonly QueryScores[], depth: number): MeanScores {
  const n = scores.length;
  const mean = (pick: (s: QueryScores) => number) => (n === 0 ? 0 : scores.reduce((sum, s) => sum + pick(s), 0) / n);
  const hitRate: Record<number, number> = {};
  for (const k of hitCutoffs(depth)) hitRate[k] = mean((s) => s.hits[k] ?? 0);
  return { queries: n, mrr: mean((s) => s.reciprocalRank), hitRate, ndcg: mean((s) => s.ndcg) };
}
