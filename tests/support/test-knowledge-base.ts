/**
 * The knowledge base of the RAG integration tests: the app's own over real LanceDB, with the
 * test's embedder, no telemetry export and no background ANN build unless asked. Small chunks and
 * batches, so a few files make several batches; the settings a test names replace these.
 */
import { tmpdir } from 'node:os';
import { trace } from '@opentelemetry/api';
import { createKnowledgeBase, type KnowledgeBase, type KnowledgeSettings } from '../../core/rag/knowledge-base';
import type { Embed } from '../../core/llm';
import { createMetricsRegistry } from '../../core/telemetry/prom-metrics';
import { noopLogger } from './noop-logger';

export const testEmbedModel = 'nomic-embed-text';

export function testKnowledgeBase(storeUri: string, embed: Embed, options: { settings?: Partial<KnowledgeSettings>; buildAnnIndex?: boolean } = {}): KnowledgeBase {
  return createKnowledgeBase({
    settings: { storeUri, embedModel: testEmbedModel, maxFileBytes: 1_000_000, chunkChars: 400, chunkOverlapChars: 0, embedBatchSize: 4, writeBatchChunks: 8, annIndexMinRows: 10_000_000, fusion: 'convex', allowedRoots: [tmpdir()], ...options.settings },
    embed,
    tracer: trace.getTracer('test'),
    registry: createMetricsRegistry(),
    logger: noopLogger,
    report: () => {},
    buildAnnIndex: options.buildAnnIndex ?? false,
  });
}
