/**
 * The synthetic chunk table of the knowledge base benchmarks (rag-bench.ts, rag-tune.ts):
 * 768-d clustered unit vectors and 60-word Zipf texts, deterministic, written through the
 * knowledge base's store with the full-text indexes it builds.
 */
import { trace } from '@opentelemetry/api';
import { tmpdir } from 'node:os';
import { createKnowledgeBase, type KnowledgeBase, type KnowledgeBaseDeps } from '../../core/rag';
import { createKbStore, loadLance } from '../../core/rag/store';
import type { Embed } from '../../core/llm';
import type { Logger } from '../../core/telemetry/logging';
import { createMetricsRegistry } from '../../core/telemetry/prom-metrics';
import { ftsColumns } from '../../core/rag/search';
import { seededRandom } from '../support/seeded-random';

export const dim = 768;
export const model = 'bench-embed';

const rand = seededRandom(42);
const centroids = Array.from({ length: 64 }, () => Float32Array.from({ length: dim }, () => rand() * 2 - 1));

export function normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/** A clustered unit vector: real embeddings are clustered, which is what IVF partitions exploit. */
export function vectorNear(c: number, r: () => number): Float32Array {
  const base = centroids[c % centroids.length]!;
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = base[i]! + (r() * 2 - 1) * 0.8;
  return normalize(v);
}

/**
 * The fast fake embedder's vectors: a hash of each text picks a cluster and seeds the noise, so a
 * text always gets the same vector (rag-bench.ts in-process; embed-server.ts over HTTP).
 */
export function fastVectors(input: string[]): Float32Array[] {
  return input.map((t) => {
    let h = 2166136261;
    for (let i = 0; i < t.length; i++) h = Math.imul(h ^ t.charCodeAt(i), 16777619);
    return vectorNear(h >>> 0, seededRandom(h));
  });
}

const vocabulary = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
export function textFor(r: () => number, words = 60): string {
  const out: string[] = [];
  // Zipf-like: low word ids are common, high ones rare (good BM25 contrast).
  for (let i = 0; i < words; i++) out.push(vocabulary[Math.floor(vocabulary.length * r() ** 3)]!);
  return out.join(' ');
}

export function chunkRow(id: string, i: number, text: string, vector: Float32Array) {
  return { id, source_id: 's', path: `/bench/doc-${Math.floor(i / 8)}.md`, heading: `Section ${i % 8}`, position: i % 8, text, text_hash: id, file_hash: 'h', mtime: 0, embedding_version: `${model}@${dim}`, vector };
}

export interface FilledTable {
  vectors: Float32Array;
  texts: string[];
  ftsSeconds: number;
  optimizeSeconds: number;
}

/** The vectors and texts of n chunks `c<i>` (the same for the same n). */
export function generateChunks(n: number): Pick<FilledTable, 'vectors' | 'texts'> {
  const r = seededRandom(n);
  const vectors = new Float32Array(n * dim);
  const texts: string[] = [];
  for (let i = 0; i < n; i++) {
    vectors.set(vectorNear(Math.floor(r() * 1e9), r), i * dim);
    texts.push(textFor(r));
  }
  return { vectors, texts };
}

/** Writes `generateChunks(n)`, then the full-text indexes at once, then optimize. */
export async function fillChunks(storeUri: string, n: number): Promise<FilledTable> {
  const store = createKbStore(storeUri);
  const table = (await store.openChunksTable(model, dim, true))!;
  const { vectors, texts } = generateChunks(n);
  for (let at = 0; at < n; at += 5000) {
    const part = [];
    for (let i = at; i < Math.min(n, at + 5000); i++) part.push(chunkRow(`c${i}`, i, texts[i]!, vectors.slice(i * dim, (i + 1) * dim)));
    await table.add(part);
  }
  const { Index } = await loadLance();
  const t = performance.now();
  for (const column of ftsColumns) await table.createIndex(column, { config: Index.fts() });
  const ftsSeconds = (performance.now() - t) / 1000;
  const t2 = performance.now();
  await table.optimize();
  const optimizeSeconds = (performance.now() - t2) / 1000;
  store.close();
  return { vectors, texts, ftsSeconds, optimizeSeconds };
}

/** Queries: three words of a stored text (so BM25 finds something), and a vector near that chunk's. */
export function benchQueries(filled: Pick<FilledTable, 'vectors' | 'texts'>, count: number, seed = 99): { text: string; vector: Float32Array }[] {
  const r = seededRandom(seed);
  const n = filled.texts.length;
  return Array.from({ length: count }, () => {
    const i = Math.floor(r() * n);
    const words = filled.texts[i]!.split(' ');
    return { text: `${words[5]} ${words[20]} ${words[40]}`, vector: normalize(filled.vectors.slice(i * dim, (i + 1) * dim).map((x) => x + (r() - 0.5) * 0.01)) };
  });
}

/** Exact top-k by dot product (unit vectors: cosine), as row indexes. */
export function bruteForce(all: Float32Array, n: number, q: Float32Array, k: number): number[] {
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let dot = 0;
    const off = i * dim;
    for (let j = 0; j < dim; j++) dot += all[off + j]! * q[j]!;
    scores[i] = dot;
  }
  const top: number[] = [];
  for (let i = 0; i < n; i++) {
    if (top.length < k) top.push(i);
    else if (scores[i]! > scores[top[top.length - 1]!]!) top[top.length - 1] = i;
    else continue;
    top.sort((a, b) => scores[b]! - scores[a]!);
  }
  return top;
}

const noopLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, isLevelEnabled: () => false, child: () => noopLogger } as unknown as Logger;

/**
 * The knowledge base the benchmarks query: the app's own, over a bench store and embedder, with
 * no background ANN build (the benchmarks build or time indexes themselves). `settings` changes
 * what ingestion needs; `ann` the query options of an index type.
 */
export function benchKnowledgeBase(
  storeUri: string,
  embed: Embed,
  options: { settings?: Partial<KnowledgeBaseDeps['settings']>; ann?: KnowledgeBaseDeps['ann']; report?: (err: unknown) => void; buildAnnIndex?: boolean; logger?: Logger } = {},
): KnowledgeBase {
  return createKnowledgeBase({
    settings: { storeUri, embedModel: model, maxFileBytes: 1, chunkChars: 1200, chunkOverlapChars: 0, embedBatchSize: 64, writeBatchChunks: 512, annIndexMinRows: 10_000_000, fusion: 'convex', allowedRoots: [tmpdir()], ...options.settings },
    embed,
    tracer: trace.getTracer('bench'),
    registry: createMetricsRegistry(),
    logger: options.logger ?? noopLogger,
    report: options.report ?? (() => {}),
    buildAnnIndex: options.buildAnnIndex ?? false,
    ...(options.ann ? { ann: options.ann } : {}),
  });
}
