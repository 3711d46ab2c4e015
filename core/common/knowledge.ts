/**
 * Knowledge base types that cross the contract (kb.* channels): sources, search results,
 * ingestion progress. The implementation lives in core/rag.
 */
import type { ErrorInfo } from './errors';

export const searchModes = ['hybrid', 'vector', 'fts'] as const;
export type SearchMode = (typeof searchModes)[number];

/** How hybrid search fuses its two lists: a convex combination of z-scores (the default) or reciprocal rank fusion. */
export const fusionMethods = ['convex', 'rrf'] as const;
export type FusionMethod = (typeof fusionMethods)[number];

export const skipReasons = ['binary', 'too_large', 'unreadable', 'symlink_loop', 'outside_roots', 'unsupported_type', 'empty', 'special_file', 'excluded'] as const;
/**
 * Why a file was not ingested; the UI and the CLI show it next to the path. `special_file`: a
 * FIFO, socket or device (never opened: opening a FIFO blocks); `excluded`: the app's own data
 * folder (settings with tokens, the store), never read into the knowledge base.
 */
export type SkipReason = (typeof skipReasons)[number];

/**
 * Skipped files a job reports one by one (`skipped` events, `IngestSummary.skipped`); the rest
 * are counted per reason. An ingestion of /proc skips ~63,000 files: listed whole, they broke
 * the events stream (a 6 MB summary line).
 */
export const skipSampleSize = 20;

export interface SkippedFile {
  path: string;
  reason: SkipReason;
  detail?: string;
}

export interface SearchHit {
  /** Stable chunk id: hash(path, position, text). */
  id: string;
  path: string;
  /** Heading trail, e.g. "Install > Docker" ("" when the file has no headings). */
  heading: string;
  /** Position of the chunk in its file (0-based). */
  position: number;
  snippet: string;
  text: string;
  /** The fused score of the hit's file in hybrid mode, else the chunk's own score; higher is better. */
  score: number;
  scores: {
    /** Cosine similarity (1 - cosine distance) when the vector search found it. */
    vector?: number;
    vectorRank?: number;
    /** BM25 score when the full-text search found it. */
    fts?: number;
    ftsRank?: number;
    /**
     * Hybrid only: the fused score of the hit's file: with `convex` fusion w x (its best vector
     * z-score) + (1 - w) x (its best full-text z-score) over the candidates (core/rag/search.ts
     * fuseHybrid); with `rrf` the sum of 1 / (60 + its rank) over both lists (fuseRrf).
     */
    fused?: number;
  };
}

export interface SearchResult {
  query: string;
  mode: SearchMode;
  /** Hybrid only: the fusion that ranked the hits. */
  fusion?: FusionMethod;
  k: number;
  hits: SearchHit[];
  /** Search stage timings in milliseconds. */
  timings: { embedMs: number; vectorMs: number; ftsMs: number; fuseMs: number; totalMs: number };
  /** Whether an ANN index answered the vector part (else a flat scan). */
  annIndex: boolean;
  embeddingVersion: string | null;
  /** Set when the store holds chunks of another embedding model only: re-ingest to search them. */
  warning?: string;
  /**
   * Set while an ingestion (or the index upkeep after it) runs: about how many of its newest
   * chunks this search may have missed, because it read the indexes only and they are not in them
   * yet (they are found once the running optimize folds them in, seconds after the job;
   * `kb.idle()` waits for it).
   */
  unindexedRows?: number;
}

/** What a person (or the model) is told when a search left out rows an ingestion just wrote. */
export function unindexedNote(rows: number): string {
  return `about ${rows} chunks from the running or last ingestion are still being indexed and were not searched; search again in a few seconds`;
}

export interface KbSource {
  /** Stable id of the root the user added (hash of its real path). */
  id: string;
  root: string;
  addedAt: string;
  lastIngestAt: string | null;
  files: number;
  chunks: number;
  bytes: number;
  skipped: number;
  embeddingVersion: string | null;
}

export interface KbStats {
  documents: number;
  chunks: number;
  bytes: number;
  embeddingVersion: string | null;
  /** `rebuilding`: a ready index is being retrained on the grown table (the old one serves meanwhile). */
  annIndex: { state: 'none' | 'building' | 'ready' | 'failed'; type?: string; buildSeconds?: number; rows?: number; error?: string; rebuilding?: boolean; rebuildFailed?: boolean };
}

export interface IngestSummary {
  jobId: string;
  roots: string[];
  filesSeen: number;
  filesIngested: number;
  filesUnchanged: number;
  filesRemoved: number;
  chunksAdded: number;
  chunksRemoved: number;
  embeddedTexts: number;
  cacheHits: number;
  /** The first `skipSampleSize` skipped files; `skippedTotal` and `skippedByReason` count all. */
  skipped: SkippedFile[];
  skippedTotal: number;
  skippedByReason: Partial<Record<SkipReason, number>>;
  embeddingVersion: string | null;
  seconds: number;
}

export interface IngestProgress {
  jobId: string;
  phase: 'scanning' | 'ingesting' | 'finishing';
  filesDone: number;
  filesTotal: number;
  chunksDone: number;
  /** Chunks per second over the job so far. */
  rate: number;
  /** Seconds left, estimated from the files left; null before there is a rate. */
  etaSeconds: number | null;
  /** Files skipped so far (the first `skipSampleSize` also came as `skipped` events). */
  skipped: number;
  currentPath?: string;
}

/** The `kb.progress` event: progress while a job runs, then exactly one `done` or `error`. */
export type KbProgressEvent =
  | ({ type: 'progress' } & IngestProgress)
  | { type: 'skipped'; jobId: string; file: SkippedFile }
  | { type: 'done'; jobId: string; summary: IngestSummary }
  | { type: 'error'; jobId: string; error: ErrorInfo };

/** Scores of one search mode over a labelled query set. */
export interface KbEvalModeReport {
  mode: SearchMode;
  queries: number;
  mrr: number;
  /** Hit rate at each cutoff (share of queries with a relevant result in the first k). */
  hitRate: Record<number, number>;
  /** Mean NDCG at the depth. */
  ndcg: number;
  /** Mean search time per query, milliseconds. */
  meanLatencyMs: number;
}

export interface KbEvalQueryReport {
  /** Line of the query in its file (the JSONL line, or its place in the list). */
  line: number;
  query: string;
  relevant: string[];
  /** Rank of the first relevant result per mode (null: none in the first `depth`). */
  ranks: Partial<Record<SearchMode, number | null>>;
}

/**
 * The row whose scores stand for a run (the gauges without a method label, the drift, the UI's
 * trend): hybrid, the mode every chat turn retrieves with, or the only mode evaluated.
 */
export function rankedMode(run: { modes: readonly KbEvalModeReport[] }): KbEvalModeReport | undefined {
  return run.modes.find((m) => m.mode === 'hybrid') ?? (run.modes.length === 1 ? run.modes[0] : undefined);
}

/** Why an evaluation ran: asked for, after an ingestion, or on the schedule. */
export type KbEvalTrigger = 'manual' | 'after-ingest' | 'schedule';

/** One evaluation as kept in the data dir (`eval/history.jsonl`): the report without its per-query rows. */
export interface KbEvalRun {
  /** ISO time the run ended. */
  at: string;
  /** Name of the evaluation set (its file name), or `inline` for queries sent in the request. */
  set: string;
  trigger: KbEvalTrigger;
  embeddingVersion: string;
  fusion: FusionMethod | null;
  depth: number;
  queries: number;
  chunks: number;
  documents: number;
  modes: KbEvalModeReport[];
}

/** Retrieval quality per mode from labelled queries (`kb.eval`, `agent-bruno eval`). */
export interface KbEvalReport {
  embeddingVersion: string;
  /** The fusion of the hybrid row (null when hybrid was not run). */
  fusion: FusionMethod | null;
  depth: number;
  queries: number;
  /** Chunks and documents in the knowledge base when it ran. */
  chunks: number;
  documents: number;
  modes: KbEvalModeReport[];
  perQuery: KbEvalQueryReport[];
  /** Labels that name no file under the ingested roots (a typo, or a file not ingested). */
  unresolvedLabels: { line: number; label: string }[];
}
