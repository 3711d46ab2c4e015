/**
 * The knowledge base of one core: ingestion jobs (one at a time), sources, search in three modes
 * and `retrieve` for a chat turn, with the seed's spans and metrics. LanceDB opens on first use.
 */
import { randomUUID } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ROOT_CONTEXT, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { Table } from '@lancedb/lancedb';
import { BrunoError, toErrorInfo } from '../common/errors';
import type { IngestProgress, IngestSummary, KbProgressEvent, KbSource, KbStats, FusionMethod, SearchHit, SearchMode, SearchResult, SkippedFile } from '../common/knowledge';
import { spanNames } from '../common/metric-names';
import type { Settings } from '../config';
import type { Embed } from '../llm';
import type { Logger } from '../telemetry/logging';
import type { MetricsRegistry } from '../telemetry/prom-metrics';
import { safely } from '../telemetry/safely';
import { createAnnIndexer, type AnnIndexOptions, type AnnIndexer } from './ann-index';
import { createEmbedder, EmbeddingCache } from './embedder';
import { runIngest, sourceIdOf } from './ingest';
import { buildPromptBlock, diversityOf, type RetrievedSource } from './prompt-block';
import { createRagMetrics, type RagMetrics, type RetrievalStage } from './rag-metrics';
import { candidatePool, ftsColumns, ftsHits, ftsSearch, fuseHybrid, fuseRrf, rrfK, vectorHits, vectorSearch, vectorWeight, type Candidate } from './search';
import { createKbStore, embeddingVersionOf, loadLance, sqlIn, type FileRow, type SourceRow } from './store';
import { storeError } from './store-errors';
import { isInside } from './walk';

// The evaluation settings belong to core/eval (the runner), not to the store.
export type KnowledgeSettings = Omit<Settings['knowledge'], 'eval'>;

export interface KnowledgeBaseDeps {
  settings: KnowledgeSettings;
  embed: Embed;
  tracer: Tracer;
  registry: MetricsRegistry;
  logger: Logger;
  report: (err: unknown) => void;
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
  /** For the contract: starts a job, answers its id, reports through `kb.progress` events. */
  startIngest(paths: readonly string[]): { jobId: string };
  startReingest(sourceId?: string): { jobId: string };
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

export function createKnowledgeBase(deps: KnowledgeBaseDeps): KnowledgeBase {
  const { settings, tracer } = deps;
  const model = settings.embedModel;
  const store = createKbStore(settings.storeUri);
  const log = deps.logger.child({ logger: 'rag' });
  const cache = new EmbeddingCache();
  const metrics: RagMetrics | null = (() => {
    try {
      return createRagMetrics(deps.registry);
    } catch (err) {
      deps.report(err);
      return null;
    }
  })();
  const measure = (work: (m: RagMetrics) => void) => metrics && safely(deps.report, () => work(metrics));
  const embedder = createEmbedder({ embed: deps.embed, model, batchSize: settings.embedBatchSize, cache, onCacheHits: (n) => measure((m) => m.cacheHits.inc({ cache_type: 'embedding' }, n)),
    onCacheMisses: (n) => measure((m) => m.cacheMisses.inc({ cache_type: 'embedding' }, n)),
  });
  const ann: AnnIndexer = createAnnIndexer(
    { minRows: settings.annIndexMinRows, ...deps.ann },
    {
      onBuilt: (seconds, rows, type) => log.info('ANN index built', { seconds: Math.round(seconds * 10) / 10, rows, type }),
      onFailed: (err) => log.warn('ANN index build failed (searches scan the table instead)', { error: err instanceof Error ? err.message : String(err) }),
    },
  );
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  let gaugesLoaded = false;
  let annChecked = false;
  let optimizing: Promise<void> | null = null;

  const wrap = async <T>(action: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof BrunoError) throw err;
      if ((err as Error)?.name === 'AbortError') throw new BrunoError('cancelled', `${action} was cancelled`);
      throw storeError(store.uri, action, err);
    }
  };

  /** The BM25 indexes of the full-text search; a store from before the heading index gets it at its next ingestion. */
  async function ensureFtsIndex(table: Table): Promise<void> {
    const { Index } = await loadLance();
    const indices = await table.listIndices();
    for (const column of ftsColumns) {
      if (!indices.some((i) => i.columns.includes(column) && i.indexType.toUpperCase().includes('FTS'))) {
        await table.createIndex(column, { config: Index.fts(), replace: true });
      }
    }
  }

  async function refreshGauges(): Promise<KbStats> {
    const stats = await statsNow();
    measure((m) => {
      m.kbDocuments.set(stats.documents);
      m.kbChunks.set(stats.chunks);
      m.kbBytes.set(stats.bytes);
    });
    gaugesLoaded = true;
    return stats;
  }

  async function statsNow(): Promise<KbStats> {
    const files = await store.files(false);
    const rows = files ? ((await files.query().select(['chunks', 'size', 'embedding_version']).toArray()) as Pick<FileRow, 'chunks' | 'size' | 'embedding_version'>[]) : [];
    const current = await store.findChunksTable(model);
    return {
      documents: rows.length,
      chunks: rows.reduce((s, r) => s + Number(r.chunks), 0),
      bytes: rows.reduce((s, r) => s + Number(r.size), 0),
      embeddingVersion: current ? embeddingVersionOf(model, current.dim) : null,
      annIndex: ann.state(),
    };
  }

  function enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  }

  async function afterIngest(table: Table | null): Promise<void> {
    if (!table) return;
    if ((await table.countRows()) === 0) return;
    await ensureFtsIndex(table);
    // Folds new rows into the FTS (and ANN) index and compacts small fragments, in the background:
    // queries scan unindexed rows meanwhile, and a long optimize must not hold the next job (the
    // FTS-build deadlock of LanceDB 0.31 on small hosts is avoided by store.ts lanceEnvDefaults).
    // One at a time, and not during an ANN build (they would conflict).
    if (ann.state().state !== 'building' && !optimizing) {
      const started = performance.now();
      optimizing = table
        .optimize({ cleanupOlderThan: new Date(Date.now() - 60_000) })
        .then(() => log.info('store optimized', { seconds: Math.round((performance.now() - started) / 100) / 10 }))
        .catch((err: unknown) => log.warn('store optimize failed (searches scan unindexed rows)', { error: err instanceof Error ? err.message : String(err) }))
        .finally(() => {
          optimizing = null;
        });
    }
    const found = await store.findChunksTable(model);
    if (found) await ann.refresh(found.table, found.dim, { force: true, build: true });
  }

  function ingestNow(paths: readonly string[], options: IngestOptions = {}): Promise<IngestSummary> {
    if (closed) return Promise.reject(new BrunoError('cancelled', 'The knowledge base is closed'));
    return enqueue(() =>
      wrap('ingesting', async () => {
        const summary = await runIngest(
          {
            store,
            embedder,
            cache,
            chunking: { chunkChars: settings.chunkChars, overlapChars: settings.chunkOverlapChars },
            maxFileBytes: settings.maxFileBytes,
            batchChunks: settings.writeBatchChunks,
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
            ...(options.onSkipped ? { onSkipped: options.onSkipped } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
            onTableReady: ensureFtsIndex,
          },
          paths,
          options.jobId,
        );
        await afterIngest((await store.findChunksTable(model))?.table ?? null);
        await refreshGauges();
        safely(deps.report, () => deps.onIngested?.());
        log.info('ingested', { jobId: summary.jobId, files: summary.filesIngested, unchanged: summary.filesUnchanged, removed: summary.filesRemoved, chunks: summary.chunksAdded, skipped: summary.skipped.length, seconds: Math.round(summary.seconds * 100) / 100 });
        return summary;
      }),
    );
  }

  async function sourceRows(): Promise<SourceRow[]> {
    const table = await store.sources(false);
    return table ? ((await table.query().toArray()) as SourceRow[]).map((r) => ({ ...r, skipped: Number(r.skipped) })) : [];
  }

  async function rootsFor(sourceId?: string): Promise<string[]> {
    const rows = await sourceRows();
    if (sourceId) {
      const row = rows.find((r) => r.id === sourceId);
      if (!row) throw new BrunoError('not_found', `No knowledge base source with id ${sourceId} (see kb.sources)`);
      return [row.root];
    }
    return rows.map((r) => r.root);
  }

  function reingestNow(sourceId?: string, options: IngestOptions = {}): Promise<IngestSummary> {
    return wrap('re-ingesting', async () => {
      const roots = await rootsFor(sourceId);
      if (roots.length === 0) throw new BrunoError('invalid_request', 'The knowledge base has no sources yet: ingest a folder first');
      return ingestNow(roots, options);
    });
  }

  const runningJobs = new Map<string, AbortController>();
  function startJob(run: (options: IngestOptions) => Promise<IngestSummary>): { jobId: string } {
    const jobId = randomUUID();
    const controller = new AbortController();
    runningJobs.set(jobId, controller);
    const emit = (event: KbProgressEvent) => safely(deps.report, () => deps.emit?.(event));
    run({ jobId, signal: controller.signal, onProgress: (p) => emit({ type: 'progress', ...p }), onSkipped: (file) => emit({ type: 'skipped', jobId, file }) })
      .then(
        (summary) => emit({ type: 'done', jobId, summary }),
        (err: unknown) => {
          log.warn('ingestion failed', { jobId, error: err instanceof Error ? err.message : String(err) });
          emit({ type: 'error', jobId, error: toErrorInfo(err) });
        },
      )
      .finally(() => runningJobs.delete(jobId));
    return { jobId };
  }

  const spanError = (span: Span, err: unknown) =>
    safely(deps.report, () => {
      const info = toErrorInfo(err);
      span.recordException({ name: info.code, message: info.message });
      span.setStatus({ code: SpanStatusCode.ERROR, message: info.message });
    });

  /** Runs a child span of rag_query, timing it into rag_retrieval_latency_seconds{stage}. */
  async function stage<T>(name: string, metricStage: RetrievalStage, parent: Context, work: (ctx: Context, span: Span) => Promise<T>): Promise<{ value: T; ms: number }> {
    const span = tracer.startSpan(name, {}, parent);
    const started = performance.now();
    try {
      const value = await work(trace.setSpan(parent, span), span);
      const ms = performance.now() - started;
      measure((m) => m.retrievalLatency.observe({ stage: metricStage }, ms / 1000));
      return { value, ms };
    } catch (err) {
      spanError(span, err);
      throw err;
    } finally {
      safely(deps.report, () => span.end());
    }
  }

  async function searchIn(query: string, mode: SearchMode, fusion: FusionMethod, k: number, parent: Context, signal?: AbortSignal): Promise<SearchResult> {
    const started = performance.now();
    const timings = { embedMs: 0, vectorMs: 0, ftsMs: 0, fuseMs: 0, totalMs: 0 };
    const found = await wrap('opening the store', () => store.findChunksTable(model));
    if (!found) {
      const others = await wrap('opening the store', () => store.chunkTables());
      const warning = others.length ? `The knowledge base was embedded with another model; run \`agent-bruno ingest --all\` (kb.reingest) to re-embed it with ${model}.` : undefined;
      return { query, mode, k, hits: [], timings, annIndex: false, embeddingVersion: null, ...(warning ? { warning } : {}) };
    }
    const { table, dim } = found;
    // The first query of a process learns whether an index exists; later ones re-check in the background.
    const refresh = ann.refresh(table, dim, { build: deps.buildAnnIndex === true }).catch(deps.report);
    if (!annChecked) {
      annChecked = true;
      await refresh;
    }
    // Each side reads more than k chunks: the fusion's z-scores need a sample, and every mode lists files first.
    const pool = candidatePool(k);
    const annOptions = ann.queryOptions(pool);

    let vector: Float32Array | null = null;
    if (mode !== 'fts') {
      const embedded = await stage(spanNames.embedQuery, 'query_embedding', parent, async (ctx, span) => {
        const { vectors } = await embedder.embedTexts([query], { parent: ctx, ...(signal ? { signal } : {}) });
        safely(deps.report, () => span.setAttribute('vector_dim', vectors[0]!.length));
        return vectors[0]!;
      });
      vector = embedded.value;
      if (deps.onQueryEmbedding) safely(deps.report, () => deps.onQueryEmbedding!(vector!));
      timings.embedMs = embedded.ms;
      if (vector.length !== dim) throw new BrunoError('invalid_request', `The embedding model ${model} now returns ${vector.length} dimensions but the knowledge base holds ${dim}: re-ingest (agent-bruno ingest --all)`);
    }
    const semantic = vector
      ? stage(spanNames.semanticSearch, 'semantic_search', parent, async (_ctx, span) => {
          const rows = await wrap('searching', () => vectorSearch(table, vector, pool, annOptions));
          safely(deps.report, () => span.setAttributes({ results_count: rows.length, ann_index: annOptions !== null }));
          return rows;
        })
      : Promise.resolve({ value: [] as Candidate[], ms: 0 });
    const keyword =
      mode !== 'vector'
        ? stage(spanNames.keywordSearch, 'keyword_search', parent, async (_ctx, span) => {
            const rows = await wrap('searching', () => ftsSearch(table, query, pool)).catch(async (err: unknown) => {
              // No FTS index yet (a job was interrupted before building it): build it, scan next time.
              if (/INVERTED index/i.test(String((err as Error)?.message))) {
                void ensureFtsIndex(table).catch(deps.report);
                return [] as Candidate[];
              }
              throw err;
            });
            safely(deps.report, () => span.setAttribute('results_count', rows.length));
            return rows;
          })
        : Promise.resolve({ value: [] as Candidate[], ms: 0 });
    const [v, f] = await Promise.all([semantic, keyword]);
    timings.vectorMs = v.ms;
    timings.ftsMs = f.ms;
    let hits: SearchHit[];
    if (mode === 'hybrid') {
      const fused = await stage(spanNames.fusionRerank, 'fusion_rerank', parent, async (_ctx, span) => {
        const result = fusion === 'rrf' ? fuseRrf(v.value, f.value, query, k) : fuseHybrid(v.value, f.value, query, k, { limit: pool });
        safely(deps.report, () =>
          span.setAttributes({ final_count: result.length, candidates: pool, ...(fusion === 'rrf' ? { method: 'rrf_by_file', rrf_k: rrfK } : { method: 'zscore_convex_by_file', vector_weight: vectorWeight }) }),
        );
        return result;
      });
      hits = fused.value;
      timings.fuseMs = fused.ms;
    } else {
      hits = mode === 'vector' ? vectorHits(v.value, query, k) : ftsHits(f.value, query, k);
    }
    timings.totalMs = performance.now() - started;
    return { query, mode, ...(mode === 'hybrid' ? { fusion } : {}), k, hits, timings, annIndex: annOptions !== null, embeddingVersion: embeddingVersionOf(model, dim) };
  }

  async function tracedSearch(query: string, options: SearchOptions & { purpose: string }): Promise<SearchResult> {
    const mode = options.mode ?? 'hybrid';
    const k = options.k ?? searchDefaults.k;
    const parent = options.parent ?? ROOT_CONTEXT;
    const span = tracer.startSpan(spanNames.ragQuery, { attributes: { query_length: query.length, 'rag.mode': mode, 'rag.k': k, 'rag.purpose': options.purpose } }, parent);
    try {
      const result = await searchIn(query, mode, options.fusion ?? settings.fusion, k, trace.setSpan(parent, span), options.signal);
      safely(deps.report, () => {
        span.setAttributes({ total_results: result.hits.length, 'rag.ann_index': result.annIndex, ...(result.embeddingVersion ? { 'rag.embedding_version': result.embeddingVersion } : {}) });
        span.setStatus({ code: SpanStatusCode.OK });
      });
      if (!gaugesLoaded) void refreshGauges().catch(deps.report);
      return result;
    } catch (err) {
      spanError(span, err);
      throw err;
    } finally {
      safely(deps.report, () => span.end());
    }
  }

  return {
    storeUri: store.uri,
    embedModel: model,
    ingest: ingestNow,
    reingest: reingestNow,
    startIngest: (paths) => startJob((o) => ingestNow(paths, o)),
    startReingest: (sourceId) => startJob((o) => reingestNow(sourceId, o)),
    cancel(jobId) {
      const job = runningJobs.get(jobId);
      job?.abort(new BrunoError('cancelled', 'Ingestion stopped; the files written before it stopped stay in the knowledge base'));
      return !!job;
    },
    async sources() {
      return wrap('listing sources', async () => {
        const rows = await sourceRows();
        const filesTable = await store.files(false);
        const files = filesTable ? ((await filesTable.query().select(['path', 'chunks', 'size', 'embedding_version']).toArray()) as FileRow[]) : [];
        return rows
          .map((r): KbSource => {
            const mine = files.filter((f) => isInside(r.root, String(f.path)));
            const versions = [...new Set(mine.map((f) => String(f.embedding_version)))];
            return {
              id: r.id,
              root: r.root,
              addedAt: r.added_at,
              lastIngestAt: r.last_ingest_at || null,
              files: mine.length,
              chunks: mine.reduce((s, f) => s + Number(f.chunks), 0),
              bytes: mine.reduce((s, f) => s + Number(f.size), 0),
              skipped: r.skipped,
              embeddingVersion: versions.length === 1 ? versions[0]! : versions.length ? versions.join(', ') : null,
            };
          })
          .sort((a, b) => a.root.localeCompare(b.root));
      });
    },
    remove(target) {
      return enqueue(() =>
        wrap('removing a source', async () => {
          const rows = await sourceRows();
          let row: SourceRow | undefined;
          if (target.sourceId) row = rows.find((r) => r.id === target.sourceId);
          else if (target.path) {
            const wanted = await realpath(resolve(target.path)).catch(() => resolve(target.path!));
            row = rows.find((r) => r.root === wanted || r.id === sourceIdOf(wanted));
          }
          if (!row) throw new BrunoError('not_found', `No knowledge base source ${target.sourceId ?? target.path} (see kb.sources)`);
          const filesTable = await store.files(false);
          const files = filesTable ? ((await filesTable.query().select(['path', 'chunks']).toArray()) as FileRow[]) : [];
          const others = rows.filter((r) => r.id !== row.id);
          // A file under a nested root that stays is kept.
          const gone = files.filter((f) => isInside(row.root, String(f.path)) && !others.some((o) => isInside(o.root, String(f.path))));
          const paths = gone.map((f) => String(f.path));
          for (let at = 0; at < paths.length; at += 500) {
            const part = paths.slice(at, at + 500);
            for (const name of await store.chunkTables()) await (await store.connection()).openTable(name).then((t) => t.delete(sqlIn('path', part)));
            await filesTable?.delete(sqlIn('path', part));
          }
          await (await store.sources(false))?.delete(`id = '${row.id}'`);
          const current = await store.findChunksTable(model);
          // Reopened tables in this process see the deletes; the cached handle checks within a second.
          if (current) await current.table.checkoutLatest();
          await refreshGauges();
          return { removed: true, files: gone.length, chunks: gone.reduce((s, f) => s + Number(f.chunks), 0) };
        }),
      );
    },
    search: (query, options = {}) => tracedSearch(query, { ...options, purpose: 'search' }),
    async retrieve(query, options = {}) {
      const result = await tracedSearch(query, { ...options, purpose: 'chat' });
      const block = buildPromptBlock(result.hits, options.tokenBudget ?? searchDefaults.tokenBudget);
      measure((m) => {
        m.documentsRetrieved.observe(block.sources.length);
        m.contextTokenUsage.observe(block.tokens);
        m.contextDiversity.set(diversityOf(block.sources));
        const byKey = new Map(result.hits.map((h) => [h.path + '\u0000' + h.snippet, h]));
        for (const s of block.sources) {
          const similarity = byKey.get(s.path + '\u0000' + s.snippet)?.scores.vector;
          if (similarity !== undefined) m.chunkRelevance.observe(Math.max(0, Math.min(1, similarity)));
        }
      });
      return { sources: block.sources, promptBlock: block.promptBlock, tokens: block.tokens, ...(result.warning ? { warning: result.warning } : {}) };
    },
    stats: () => wrap('reading statistics', statsNow),
    async idle() {
      await queue;
      await optimizing;
      await ann.idle();
    },
    async close() {
      // A running ANN build is not waited for: it is built again by the next long-running process.
      closed = true;
      await queue;
      // Closing the tables under a running optimize hangs LanceDB: let it end first (bounded).
      if (optimizing) await Promise.race([optimizing, new Promise((r) => setTimeout(r, 60_000).unref())]);
      store.close();
    },
  };
}
