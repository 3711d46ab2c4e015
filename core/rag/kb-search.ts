/**
 * Traced search: `rag_query` with its stage spans (embed_query, semantic_search, keyword_search,
 * fusion_rerank), each timed into rag_retrieval_latency_seconds{stage}, in three modes; and
 * `retrieve`, the sources block of a chat turn with its retrieval metrics.
 */
import { ROOT_CONTEXT, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { BrunoError, toErrorInfo } from '../common/errors';
import type { FusionMethod, SearchHit, SearchMode, SearchResult } from '../common/knowledge';
import { spanNames } from '../common/metric-names';
import { safely } from '../telemetry/safely';
import { searchDefaults, type KbContext, type RetrievalResult, type RetrieveOptions, type SearchOptions } from './kb-types';
import type { KbUpkeep } from './kb-upkeep';
import { buildPromptBlock, diversityOf } from './prompt-block';
import type { RetrievalStage } from './rag-metrics';
import { candidatePool, ftsHits, ftsSearch, fuseHybrid, fuseRrf, rrfK, vectorHits, vectorSearch, vectorWeight, type Candidate } from './search';
import { embeddingVersionOf } from './store';

export interface KbSearch {
  search(query: string, options?: SearchOptions): Promise<SearchResult>;
  retrieve(query: string, options?: RetrieveOptions): Promise<RetrievalResult>;
}

export function createKbSearch(ctx: KbContext, upkeep: KbUpkeep): KbSearch {
  const { deps, settings, store, model, ann, embedder, measure, wrap } = ctx;
  const { tracer } = deps;
  const log = deps.logger.child({ logger: 'rag' });
  let annChecked = false;

  /** Debug: the stage timings of every search; warn: one slower than the threshold (LanceDBSlowQueries' 0.5 s). */
  const logTimings = (result: SearchResult, purpose: string, span: Span) =>
    safely(deps.report, () => {
      const t = result.timings;
      const slowMs = deps.slowRetrievalMs?.() ?? 0;
      const slow = slowMs > 0 && t.totalMs > slowMs;
      if (!slow && !log.isLevelEnabled('debug')) return;
      const round = (ms: number) => Math.round(ms * 10) / 10;
      const fields = {
        component: 'vector_store',
        purpose,
        search_type: result.mode,
        result_count: result.hits.length,
        ann_index: result.annIndex,
        embed_ms: round(t.embedMs),
        vector_ms: round(t.vectorMs),
        fts_ms: round(t.ftsMs),
        fuse_ms: round(t.fuseMs),
        execution_time_ms: round(t.totalMs),
      };
      if (slow) log.warn('Slow retrieval: the search took longer than the threshold', { ...fields, threshold_ms: slowMs }, span.spanContext());
      else log.debug('retrieval timings', fields, span.spanContext());
    });

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
    // A search may start the first build, or the rebuild of an index a table outgrew (a store a
    // one-shot CLI ingested); not during a job or its upkeep, which rebuild when it suits them.
    const refresh = ann.refresh(table, dim, { build: deps.buildAnnIndex === true, rebuild: !ctx.priority.ingesting && !upkeep.catchingUp() }).catch(deps.report);
    if (!annChecked) {
      annChecked = true;
      await refresh;
    }
    // Each side reads more than k chunks: the fusion's z-scores need a sample, and every mode lists files first.
    const pool = candidatePool(k);
    const annOptions = ann.queryOptions(pool);
    // While a job writes, and after it until its last rows are folded in, searches read what the
    // indexes hold (fastSearch) whenever the rows no optimize has folded in yet are many: the rows
    // written since the last optimize (up to a third of the table) were scanned flat by every
    // query. At 100k chunks the full-text side's flat scan took 1.3 s p50 / 4.6 s p95 during a job,
    // 1.2-1.9 s beside the optimize after it, and the vector side's 355 ms p95 / 500 ms max there
    // (docs/benchmarks.md, "Scale", "Scale, session 9"). They are found once the running optimize folds them in
    // (seconds after the job; `kb.idle()` waits for it), and the result says how many it left out
    // (`unindexedRows`). A small tail is read flat: a finished job's chunks are found at once.
    // The vector side has an index early (ann-index.ts); before it, it scans flat regardless.
    const unindexed = upkeep.unindexedRows();
    const indexedOnly = upkeep.readsIndexedOnly(ctx.priority.ingesting);

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
          const rows = await wrap('searching', () => vectorSearch(table, vector, pool, annOptions, indexedOnly));
          safely(deps.report, () => span.setAttributes({ results_count: rows.length, ann_index: annOptions !== null }));
          return rows;
        })
      : Promise.resolve({ value: [] as Candidate[], ms: 0 });
    const keyword =
      mode !== 'vector'
        ? stage(spanNames.keywordSearch, 'keyword_search', parent, async (_ctx, span) => {
            const rows = await wrap('searching', () => ftsSearch(table, query, pool, indexedOnly)).catch(async (err: unknown) => {
              // No FTS index yet (a job was interrupted before building it): build it, scan next time.
              if (/INVERTED index/i.test(String((err as Error)?.message))) {
                void upkeep.ensureFtsIndex(table).catch(deps.report);
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
    return { query, mode, ...(mode === 'hybrid' ? { fusion } : {}), k, hits, timings, annIndex: annOptions !== null, embeddingVersion: embeddingVersionOf(model, dim), ...(indexedOnly && unindexed > 0 ? { unindexedRows: unindexed } : {}) };
  }

  async function tracedSearch(query: string, options: SearchOptions & { purpose: string }): Promise<SearchResult> {
    const mode = options.mode ?? 'hybrid';
    const k = options.k ?? searchDefaults.k;
    const parent = options.parent ?? ROOT_CONTEXT;
    const span = tracer.startSpan(spanNames.ragQuery, { attributes: { query_length: query.length, 'rag.mode': mode, 'rag.k': k, 'rag.purpose': options.purpose } }, parent);
    try {
      // Ingestion's store work and embed requests wait while this runs (search-priority.ts).
      const result = await ctx.priority.search(() => searchIn(query, mode, options.fusion ?? settings.fusion, k, trace.setSpan(parent, span), options.signal));
      safely(deps.report, () => {
        span.setAttributes({
          total_results: result.hits.length,
          'rag.ann_index': result.annIndex,
          ...(result.embeddingVersion ? { 'rag.embedding_version': result.embeddingVersion } : {}),
          ...(result.unindexedRows ? { 'rag.unindexed_rows': result.unindexedRows } : {}),
        });
        span.setStatus({ code: SpanStatusCode.OK });
      });
      logTimings(result, options.purpose, span);
      if (!upkeep.gaugesLoaded) void upkeep.refreshGauges().catch(deps.report);
      return result;
    } catch (err) {
      spanError(span, err);
      throw err;
    } finally {
      safely(deps.report, () => span.end());
    }
  }

  return {
    search: (query, options = {}) => tracedSearch(query, { ...options, purpose: 'search' }),
    async retrieve(query, options = {}) {
      // Taken before the search, so the job's requests sent from now on queue behind the query's
      // embedding and the chat request, not in front of them.
      if (options.until) ctx.priority.hold(options.until);
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
  };
}
