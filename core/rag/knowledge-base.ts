/**
 * The knowledge base of one core: ingestion jobs (one at a time), sources, search in three modes
 * and `retrieve` for a chat turn, with the seed's spans and metrics. LanceDB opens on first use.
 * This file composes the parts: kb-jobs (queue), kb-upkeep (indexes, gauges), kb-catalog
 * (sources), kb-search (traced search); the shared types are in kb-types.
 */
import { BrunoError } from '../common/errors';
import type { IngestSummary } from '../common/knowledge';
import { safely } from '../telemetry/safely';
import { createAnnIndexer } from './ann-index';
import { createEmbedder, EmbeddingCache, type EmbedRequestTimes } from './embedder';
import { resolveRoots, runIngest } from './ingest';
import { createKbCatalog } from './kb-catalog';
import { createKbJobs } from './kb-jobs';
import { createKbSearch } from './kb-search';
import type { IngestOptions, KbContext, KnowledgeBase, KnowledgeBaseDeps } from './kb-types';
import { createKbUpkeep, type KbUpkeep } from './kb-upkeep';
import { createRagMetrics, type RagMetrics } from './rag-metrics';
import { createRootPolicy } from './root-policy';
import { createSearchPriority } from './search-priority';
import { createKbStore } from './store';
import { storeError } from './store-errors';

export { searchDefaults, type IngestOptions, type KnowledgeBase, type KnowledgeBaseDeps, type KnowledgeSettings, type RetrievalResult, type RetrieveOptions, type SearchOptions } from './kb-types';

/** Builds over fewer rows than this start at once; larger ones wait for a pause in the searches. */
const annDeferFromRows = 16_384;

/**
 * How long one of a job's embed requests may take while someone searches or chats
 * (`SearchPriority.interactive`). The model server answers requests in turn, so a query's embedding
 * (and the chat request after it) waits behind the job's requests already sent: two full batches
 * of embedBatchSize (64) made the query embedding p50 110 / p95 265 ms during an ingestion against
 * 3 ms idle, and chat TTFT 11.7x the idle store's (docs/benchmarks.md, "Scale, fifth pass").
 * Meanwhile the job sends requests cut to about this long, at the rate its requests ran; a
 * server whose full batch is already that quick (a fixed latency per request, a fast GPU) keeps
 * full batches, since smaller ones would only cost throughput. 5 ms, not 10: a turn's query
 * waited p50 2.8 against 4.8-5.2 ms behind the job's request in flight, and chat TTFT went from
 * 1.30-1.40x to 1.03-1.07x an idle store's at p50, at the same ingestion rate (docs/benchmarks.md,
 * "Scale, session 10").
 */
export const interactiveRequestMs = 5;

/**
 * The job's embed requests in flight while interactive, across its batches (otherwise two per
 * batch, two batches: four). The query's embedding waits at the model server behind every one of
 * them: four requests cut to ~10 ms each made it wait p50 11 ms during an ingestion against 2.5 ms
 * idle, two p50 7-9 ms, one p50 4 ms (docs/benchmarks.md, "Scale, sixth pass"). A server that
 * computes keeps busy with one short request after another (the fake's ingestion rate did not
 * drop); one whose time goes by request is not bounded (`latencyBound`).
 */
export const interactiveEmbedRequests = 1;

/**
 * Whether the model server's time goes by request, not by text: requests cut to half a batch or
 * less still take half a full batch's wall time or more (over a few of them). Then a server runs
 * requests side by side (a fixed latency each: a query beside them does not wait for them) or
 * costs the same per request whatever its size; either way short requests and fewer in flight
 * would only cost the job throughput (the pipeline bench's 20 ms-per-request row: 1.59 s cut
 * against ~0.95 s with full batches), so the job keeps full batches and its requests in flight.
 * Half, not more: full batches are timed with up to four in flight and cut ones alone, so a 20 ms
 * server's full batches measured 32-39 ms against its cut ones' 22 ms (0.57x; at 0.6x the job
 * stayed cut for 37 requests, 3.35 s for 173 requests where full batches take ~1.3 s).
 */
export function latencyBound(full: number, times: EmbedRequestTimes): boolean {
  const { fullBatchMs, cutMs, cutTexts, cutSamples } = times;
  if (fullBatchMs === null || cutMs === null || cutTexts === null || cutSamples < 4) return false;
  return cutTexts <= full / 2 && cutMs >= 0.5 * fullBatchMs;
}

/**
 * How long a full batch takes now, as far as the requests tell: the full batches' time, or less
 * when the cut requests show it. A request of n texts taking t ms puts a full batch at no more than
 * t * full / n (a request's fixed cost only makes the short one dearer per text), so a first full
 * batch slowed by a model load (seconds on a cold Ollama) no longer keeps the job at one text a
 * request while someone searches.
 */
export function fullBatchEstimate(full: number, times: EmbedRequestTimes): number | null {
  const fromCut = cutBound(full, times);
  if (times.fullBatchMs === null) return fromCut;
  return fromCut === null ? times.fullBatchMs : Math.min(times.fullBatchMs, fromCut);
}

/** A full batch's time at the cut requests' time a text (null before one ran). */
function cutBound(full: number, { cutMs, cutTexts }: EmbedRequestTimes): number | null {
  return cutMs !== null && cutTexts !== null && cutTexts > 0 ? (cutMs * full) / cutTexts : null;
}

/**
 * While someone searches, a full batch is sent again once this many full batches' time went by
 * without one (at most ~2% of the job's time) if the cut requests cost at least twice a full
 * batch's time a text: a server whose time goes by request looks like that when its first full
 * batches ran slow (a model load, a busy process), and only a new full batch shows `latencyBound`
 * the truth. A server that computes needs no such probe (the cut requests bound a full batch's
 * time, `fullBatchEstimate`), and a query arriving behind a full batch would wait for all of it.
 */
export const fullBatchProbeGap = 50;

/** The job's next embed request size: full, or cut while interactive (see `interactiveRequestMs`). */
export function jobBatchSize(full: number, interactive: boolean, times: EmbedRequestTimes, byRequest = false): number {
  const estimate = fullBatchEstimate(full, times);
  if (!interactive || byRequest || estimate === null || estimate <= interactiveRequestMs) return full;
  const cutDear = (cutBound(full, times) ?? 0) >= 2 * estimate;
  if (cutDear && times.sinceFullMs !== null && times.sinceFullMs >= fullBatchProbeGap * estimate) return full;
  return Math.max(1, Math.floor((full * interactiveRequestMs) / estimate));
}

export function createKnowledgeBase(deps: KnowledgeBaseDeps): KnowledgeBase {
  const { settings } = deps;
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
  const measure = (work: (m: RagMetrics) => void) => {
    if (metrics) safely(deps.report, () => work(metrics));
  };
  const priority = createSearchPriority();
  // The upkeep is made from the context the indexer is part of: the build asks it late.
  let upkeepRef: KbUpkeep | null = null;
  const ctx: KbContext = {
    deps,
    settings,
    model,
    store,
    cache,
    log,
    measure,
    priority,
    embedder: createEmbedder({
      embed: deps.embed,
      model,
      batchSize: settings.embedBatchSize,
      cache,
      onCacheHits: (n) => measure((m) => m.cacheHits.inc({ cache_type: 'embedding' }, n)),
      onCacheMisses: (n) => measure((m) => m.cacheMisses.inc({ cache_type: 'embedding' }, n)),
    }),
    ann: createAnnIndexer(
      { minRows: settings.annIndexMinRows, ...deps.ann },
      {
        onBuilt: (seconds, rows, type) => log.info('ANN index built', { seconds: Math.round(seconds * 10) / 10, rows, type }),
        onFailed: (err) => log.warn('ANN index build failed (searches scan the table instead)', { error: err instanceof Error ? err.message : String(err) }),
        // A small table builds in about half a second: deferring it (up to 3 s) would leave the
        // searches of a job on the flat scan longer than the build itself takes.
        beforeBuild: (rows) => (rows < annDeferFromRows ? undefined : priority.whenQuiet()),
        busy: () => upkeepRef?.busy() ?? null,
      },
    ),
    async wrap(action, work) {
      try {
        return await work();
      } catch (err) {
        if (err instanceof BrunoError) throw err;
        if ((err as Error)?.name === 'AbortError') throw new BrunoError('cancelled', `${action} was cancelled`);
        throw storeError(store.uri, action, err);
      }
    },
  };
  const { wrap, embedder, ann } = ctx;
  /** Whether the model server's time goes by request (then the job keeps full batches, all in flight). */
  const byRequest = () => latencyBound(settings.embedBatchSize, embedder.requestTimes());
  const jobs = createKbJobs(ctx);
  const upkeep = createKbUpkeep(ctx);
  upkeepRef = upkeep;
  const catalog = createKbCatalog(ctx);
  const searcher = createKbSearch(ctx, upkeep);
  const policy = createRootPolicy({ allowedRoots: settings.allowedRoots, dataDir: deps.dataDir, storeUri: store.uri, ...(deps.homeDir ? { homeDir: deps.homeDir } : {}) });
  let closed = false;

  /** Refused before a job starts, so kb.ingest answers the error itself (not a later event). */
  async function checked(paths: readonly string[]): Promise<string[]> {
    const roots = await resolveRoots(paths);
    await policy.check(roots);
    return roots;
  }

  function ingestNow(paths: readonly string[], options: IngestOptions = {}): Promise<IngestSummary> {
    if (closed) return Promise.reject(new BrunoError('cancelled', 'The knowledge base is closed'));
    return jobs.enqueue(() =>
      wrap('ingesting', async () => {
        // Searches read the indexed rows only while the job writes (kb-search.ts).
        const endIngestion = priority.beginIngestion();
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
            // Not awaited: the first batch's index build took 0.3-1.4 s the job now goes on through.
            onTableReady: async (table) => upkeep.startFtsIndex(table),
            yieldToSearches: priority.yieldToSearches,
            maxEmbedRequests: () => (priority.interactive() && !byRequest() ? interactiveEmbedRequests : Infinity),
            embedBatchSize: (times) => jobBatchSize(settings.embedBatchSize, priority.interactive(), times, byRequest()),
            onBatchWritten: upkeep.duringIngest,
            beforeDelete: () => upkeep.settled(),
            checkRoots: policy.check,
            excluded: await policy.excluded(),
          },
          paths,
          options.jobId,
        ).finally(endIngestion);
        await upkeep.afterIngest((await store.findChunksTable(model))?.table ?? null);
        await upkeep.refreshGauges();
        safely(deps.report, () => deps.onIngested?.());
        log.info('ingested', { jobId: summary.jobId, files: summary.filesIngested, unchanged: summary.filesUnchanged, removed: summary.filesRemoved, chunks: summary.chunksAdded, skipped: summary.skippedTotal, seconds: Math.round(summary.seconds * 100) / 100 });
        return summary;
      }),
    );
  }

  function reingestNow(sourceId?: string, options: IngestOptions = {}): Promise<IngestSummary> {
    return wrap('re-ingesting', async () => {
      const roots = await catalog.rootsFor(sourceId);
      if (roots.length === 0) throw new BrunoError('invalid_request', 'The knowledge base has no sources yet: ingest a folder first');
      return ingestNow(roots, options);
    });
  }

  return {
    storeUri: store.uri,
    embedModel: model,
    ingest: ingestNow,
    reingest: reingestNow,
    async startIngest(paths) {
      const roots = await checked(paths);
      return jobs.start((o) => ingestNow(roots, o));
    },
    async startReingest(sourceId) {
      await checked(await wrap('re-ingesting', () => catalog.rootsFor(sourceId)));
      return jobs.start((o) => reingestNow(sourceId, o));
    },
    cancel: (jobId) => jobs.cancel(jobId),
    sources: () => wrap('listing sources', catalog.sources),
    remove: (target) =>
      jobs.enqueue(() =>
        wrap('removing a source', async () => {
          const removed = await catalog.remove(target);
          await upkeep.refreshGauges();
          return removed;
        }),
      ),
    search: searcher.search,
    retrieve: searcher.retrieve,
    stats: () => wrap('reading statistics', upkeep.statsNow),
    async idle() {
      await jobs.drained();
      await upkeep.settled();
      await ann.idle();
    },
    async close() {
      // A running ANN build is not waited for: it is built again by the next long-running process.
      closed = true;
      await jobs.drained();
      // The optimize after the last job may still wait for an ANN build: it must not start now.
      upkeep.stop();
      // Closing the tables under a running optimize hangs LanceDB: let it end first (bounded), and
      // the upkeep after the last job with it (it starts nothing new once stopped, but may be
      // between two calls on the tables).
      await Promise.race([upkeep.settled(), new Promise((r) => setTimeout(r, 60_000).unref())]);
      store.close();
    },
  };
}
