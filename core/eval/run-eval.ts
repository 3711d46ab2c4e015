/**
 * Runs a labelled query set against the knowledge base in each search mode and scores the
 * rankings (MRR, Hit@k, NDCG@k). The searches are the ones a user runs (`core.knowledge.search`),
 * so they carry the same spans and latency metrics.
 */
import { BrunoError } from '../common/errors';
import type { FusionMethod, KbEvalModeReport, KbEvalQueryReport, KbEvalReport, SearchMode } from '../common/knowledge';
import type { KnowledgeBase } from '../rag';
import { resolveLabel } from './labels';
import { meanScores, scoreQuery, type QueryScores } from './ranking-scores';
import type { EvalQuery } from './queries';

export const evalDefaults = { depth: 10 } as const;
/** Report order: the two single modes, then their fusion. */
export const evalModes: readonly SearchMode[] = ['vector', 'fts', 'hybrid'];

export interface EvalOptions {
  /** Results retrieved per query; MRR, Hit@k and NDCG are computed within them (default 10). */
  depth?: number;
  modes?: readonly SearchMode[];
  /** The hybrid row's fusion; default the knowledge base's setting. */
  fusion?: FusionMethod;
  signal?: AbortSignal;
  /** Told after each query (for a progress line). */
  onQuery?: (done: number, total: number) => void;
}

export type ModeReport = KbEvalModeReport;
export type QueryReport = KbEvalQueryReport;
export type EvalReport = KbEvalReport;

type EvalKnowledge = Pick<KnowledgeBase, 'search' | 'sources' | 'stats'>;

export async function runEval(knowledge: EvalKnowledge, queries: readonly EvalQuery[], options: EvalOptions = {}): Promise<EvalReport> {
  const depth = options.depth ?? evalDefaults.depth;
  if (!Number.isInteger(depth) || depth < 1 || depth > 100) throw new BrunoError('invalid_request', `The depth k must be a whole number from 1 to 100 (got ${depth})`);
  const modes = options.modes ?? evalModes;
  const stats = await knowledge.stats();
  if (stats.chunks === 0) throw new BrunoError('invalid_request', 'The knowledge base is empty: ingest the corpus first (agent-bruno ingest <folder>), then run the evaluation');
  if (!stats.embeddingVersion) throw new BrunoError('invalid_request', 'The knowledge base holds chunks of another embedding model only: re-embed it first (agent-bruno ingest --all)');
  const roots = (await knowledge.sources()).map((s) => s.root);

  const unresolvedLabels: EvalReport['unresolvedLabels'] = [];
  const judged = queries.map((q) => {
    const relevant = new Set<string>();
    for (const label of q.relevant) {
      const path = resolveLabel(label, roots);
      if (path) relevant.add(path);
      else unresolvedLabels.push({ line: q.line, label });
    }
    return { q, relevant };
  });

  const scores = new Map<SearchMode, QueryScores[]>(modes.map((m) => [m, []]));
  const latency = new Map<SearchMode, number>(modes.map((m) => [m, 0]));
  const perQuery: QueryReport[] = [];
  let done = 0;
  let fusion: FusionMethod | null = null;
  for (const { q, relevant } of judged) {
    const report: QueryReport = { line: q.line, query: q.query, relevant: q.relevant, ranks: {} };
    for (const mode of modes) {
      options.signal?.throwIfAborted();
      const result = await knowledge.search(q.query, { mode, k: depth, ...(options.fusion ? { fusion: options.fusion } : {}), ...(options.signal ? { signal: options.signal } : {}) });
      if (result.fusion) fusion = result.fusion;
      if (result.warning && result.hits.length === 0) throw new BrunoError('invalid_request', result.warning);
      const scored = scoreQuery(result.hits.map((h) => h.path), relevant, depth);
      scores.get(mode)!.push(scored);
      latency.set(mode, latency.get(mode)! + result.timings.totalMs);
      report.ranks[mode] = scored.rank;
    }
    perQuery.push(report);
    options.onQuery?.(++done, judged.length);
  }
  return {
    embeddingVersion: stats.embeddingVersion,
    fusion,
    depth,
    queries: queries.length,
    chunks: stats.chunks,
    documents: stats.documents,
    modes: modes.map((mode) => ({ mode, ...meanScores(scores.get(mode)!, depth), meanLatencyMs: queries.length ? latency.get(mode)! / queries.length : 0 })),
    perQuery,
    unresolvedLabels,
  };
}
