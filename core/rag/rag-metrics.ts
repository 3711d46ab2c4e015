import { Counter, Gauge, Histogram } from 'prom-client';
import { ragMetricNames as N } from '../common/metric-names';
import type { MetricsRegistry } from '../telemetry/prom-metrics';

/** Retrieval stages, the `stage` label of rag_retrieval_latency_seconds (one per child span of rag_query). */
export type RetrievalStage = 'query_embedding' | 'semantic_search' | 'keyword_search' | 'fusion_rerank';

/** The knowledge base's Prometheus metrics (seed 2.3), on the core's registry. */
export function createRagMetrics(registry: MetricsRegistry) {
  const registers = [registry];
  const existing = (name: string) => registry.getSingleMetric(name);
  const metrics = {
    retrievalLatency: new Histogram({
      name: N.retrievalLatency,
      help: 'RAG retrieval latency by stage (query_embedding, semantic_search, keyword_search, fusion_rerank)',
      labelNames: ['stage'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5],
      registers,
    }),
    documentsRetrieved: new Histogram({ name: N.documentsRetrieved, help: 'Sources put into the prompt per retrieval', buckets: [0, 1, 3, 5, 10, 20, 50], registers }),
    chunkRelevance: new Histogram({
      name: N.chunkRelevance,
      help: 'Cosine similarity (0..1) of each retrieved chunk to the query, for chunks the vector search scored',
      buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
      registers,
    }),
    contextTokenUsage: new Histogram({ name: N.contextTokenUsage, help: 'Estimated tokens of the retrieved context put into the prompt', buckets: [0, 500, 1000, 2000, 3000, 4000, 5000, 6000], registers }),
    contextDiversity: new Gauge({ name: N.contextDiversity, help: 'Distinct documents / sources in the last retrieved context (0..1)', registers }),
    // Another module may count generation cache hits on the same family: share it then.
    cacheHits: (existing(N.cacheHits) as Counter<'cache_type'> | undefined) ?? new Counter({ name: N.cacheHits, help: 'Cache hits by cache type (embedding, generation)', labelNames: ['cache_type'], registers }),
    cacheMisses: (existing(N.cacheMisses) as Counter<'cache_type'> | undefined) ?? new Counter({ name: N.cacheMisses, help: 'Cache misses by cache type (embedding, generation)', labelNames: ['cache_type'], registers }),
    kbDocuments: new Gauge({ name: N.kbDocuments, help: 'Documents (files) in the knowledge base', registers }),
    kbChunks: new Gauge({ name: N.kbChunks, help: 'Chunks in the knowledge base', registers }),
    kbBytes: new Gauge({ name: N.kbBytes, help: 'Bytes of the source files in the knowledge base', registers }),
  };
  // Series exist from the start, so dashboards show 0 rather than "no data".
  metrics.cacheHits.inc({ cache_type: 'embedding' }, 0);
  metrics.cacheMisses.inc({ cache_type: 'embedding' }, 0);
  return metrics;
}

export type RagMetrics = ReturnType<typeof createRagMetrics>;
