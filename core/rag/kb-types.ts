/**
 * Types the parts of the knowledge base share (knowledge-base.ts composes them): its public
 * interface and options, and the context one knowledge base hands its parts (store, embedder,
 * metrics, logger), so each part is a small factory over the same collaborators.
 */
import type { Context, Tracer } from '@opentelemetry/api';
import type { IngestProgress, IngestSummary, KbProgressEvent, KbSource, KbStats, FusionMethod, SearchMode, SearchResult, SkippedFile } from '../common/knowledge';
import type { Settings } from '../config';
import type { Embed } from '../llm';
import type { Logger } from '../telemetry/logging';
import type { MetricsRegistry } from '../telemetry/prom-metrics';
import type { AnnIndexOptions, AnnIndexer } from './ann-index';
import type { Embedder, EmbeddingCache } from './embedder';
import type { RetrievedSource } from './prompt-block';
import type { RagMetrics } from './rag-metrics';
import type { SearchPriority } from './search-priority';
import type { KbStore } from './store';

// The evaluation settings belong to core/eval (the runner), not to the store.
export type KnowledgeSettings = Omit<Settings['knowledge'], 'eval'>;

export interface KnowledgeBaseDeps {
  settings: KnowledgeSettings;
  embed: Embed;
  tracer: Tracer;
  registry: MetricsRegistry;
  logger: Logger;
  report: (err: unknown) => void;
  /** A search slower than this (ms) logs the seed's slow-retrieval warning; 0 or unset = never. Read per search (live). */
  slowRetrievalMs?: () => number;
  /** `kb.progress` events of jobs started with startIngest/startReingest. */
  emit?: (event: KbProgressEvent) => void;
  /**
   * Whether this process builds the ANN index in the background (long-running hosts). A one-shot
   * CLI search must not start a build it would not wait for.
   */
  buildAnnIndex?: boolean;
  ann?: Partial<AnnIndexOptions>;
  /** Every query embedding computed for a search (drift tracking); must not throw. */
  onQueryEmbedding?: (vector: ArrayLike<number>) => void;
  /** After an ingestion changed the store (the drift baseline is refreshed then). */
  onIngested?: () => void;
  /** The app's data folder: never ingested (root-policy.ts). */
  dataDir?: string;
  /** `~` of knowledge.allowedRoots (default: the user's home folder). */
  homeDir?: string;
}

export interface SearchOptions {
  mode?: SearchMode;
  /** Hybrid only; default `knowledge.fusion` from the settings. */
  fusion?: FusionMethod;
  k?: number;
  parent?: Context;
  signal?: AbortSignal;
}

export interface RetrieveOptions {
  k?: number;
  /** Tokens the sources block may use (estimated at 4 characters per token). */
  tokenBudget?: number;
  /** The chat turn's span: rag_query hangs under it. */
  parent?: Context;
  mode?: SearchMode;
  signal?: AbortSignal;
  /**
   * A chat turn's first token: a running ingestion sends no new embed request and starts no write
   * from this retrieval's start until it settles (bounded: search-priority.ts `hold`).
   */
  until?: Promise<unknown>;
}

export interface RetrievalResult {
  sources: RetrievedSource[];
  /** Numbered sources for the prompt ("" when nothing was found). */
  promptBlock: string;
  /** Estimated tokens of promptBlock. */
  tokens: number;
  /** Set when the store holds only chunks of another embedding model. */
  warning?: string;
}

export interface IngestOptions {
  onProgress?: (progress: IngestProgress) => void;
  onSkipped?: (file: SkippedFile) => void;
  signal?: AbortSignal;
  jobId?: string;
}

export interface KnowledgeBase {
  readonly storeUri: string;
  readonly embedModel: string;
  /** Runs one ingestion now (queued behind a running one) and resolves with its summary. */
  ingest(paths: readonly string[], options?: IngestOptions): Promise<IngestSummary>;
  /** Re-ingests every source (or one): changed files re-embedded, deleted ones removed. */
  reingest(sourceId?: string, options?: IngestOptions): Promise<IngestSummary>;
  /**
   * For the contract: checks the roots (knowledge.allowedRoots), starts a job, answers its id,
   * reports through `kb.progress` events.
   */
  startIngest(paths: readonly string[]): Promise<{ jobId: string }>;
  startReingest(sourceId?: string): Promise<{ jobId: string }>;
  /** Stops a job started with startIngest/startReingest; false when it is not running. */
  cancel(jobId: string): boolean;
  sources(): Promise<KbSource[]>;
  remove(target: { sourceId?: string | undefined; path?: string | undefined }): Promise<{ removed: boolean; files: number; chunks: number }>;
  search(query: string, options?: SearchOptions): Promise<SearchResult>;
  /** For a chat turn: rag_query > embed_query, semantic_search, keyword_search, fusion_rerank. */
  retrieve(query: string, options?: RetrieveOptions): Promise<RetrievalResult>;
  stats(): Promise<KbStats>;
  /** Resolves when no job and no index build is running. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export const searchDefaults = { k: 8, tokenBudget: 2000 } as const;

/** What one knowledge base gives each of its parts. */
export interface KbContext {
  deps: KnowledgeBaseDeps;
  settings: KnowledgeSettings;
  model: string;
  store: KbStore;
  cache: EmbeddingCache;
  embedder: Embedder;
  ann: AnnIndexer;
  /** Searches first: ingestion and background upkeep wait for them (search-priority.ts). */
  priority: SearchPriority;
  log: Logger;
  /** Runs a metric update; never throws (metrics are absent when the registry refused them). */
  measure: (work: (m: RagMetrics) => void) => void;
  /** Runs store work, turning a LanceDB failure into a BrunoError that names the action. */
  wrap: <T>(action: string, work: () => Promise<T>) => Promise<T>;
}
