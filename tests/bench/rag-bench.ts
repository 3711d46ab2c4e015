/**
 * Knowledge base benchmarks (not part of `npm test`):
 *   npx tsx tests/bench/rag-bench.ts                 # ingestion + 10k + 100k (about 6-9 minutes here)
 *   RAG_BENCH_SIZES=10000 npx tsx tests/bench/rag-bench.ts
 *   RAG_BENCH_INDEXES=ivf_pq,ivf_hnsw_sq npx tsx tests/bench/rag-bench.ts   # index types at every size
 *
 * 1. Ingestion rate (chunks/s) through the real pipeline (walk, read, chunk, embed in batches,
 *    LanceDB writes, FTS index) with a fast in-process fake embedder, so the pipeline is measured.
 * 2. Hybrid query latency p50/p95 at each size (768-d vectors, clustered, with words for BM25):
 *    ours (kb.search hybrid: vector + FTS concurrently, RRF) against a bare LanceDB hybrid query
 *    (fullTextSearch + nearestTo + RRFReranker) on the same table in the same run, plus a
 *    LanceDB flat vector search and a brute-force JS scan; then again with each ANN index type
 *    (build time reported).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { buildAnnIndex, type AnnIndexType } from '../../core/rag/ann-index';
import { createKnowledgeBase, type KnowledgeBase } from '../../core/rag';
import { createKbStore, loadLance } from '../../core/rag/store';
import type { InstrumentedEmbed } from '../../core/telemetry/embed-telemetry';
import type { Logger } from '../../core/telemetry/logging';
import { createMetricsRegistry } from '../../core/telemetry/prom-metrics';
import { percentile } from './stats';

const dim = 768;
const model = 'bench-embed';
const sizes = (process.env.RAG_BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const indexTypes = (process.env.RAG_BENCH_INDEXES ?? '').split(',').filter(Boolean) as AnnIndexType[];
const queries = Number(process.env.RAG_BENCH_QUERIES ?? 40);
const k = 10;

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const rand = rng(42);
const centroids = Array.from({ length: 64 }, () => Float32Array.from({ length: dim }, () => rand() * 2 - 1));

function normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/** A clustered unit vector: real embeddings are clustered, which is what IVF partitions exploit. */
function vectorNear(c: number, r: () => number): Float32Array {
  const base = centroids[c % centroids.length]!;
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = base[i]! + (r() * 2 - 1) * 0.8;
  return normalize(v);
}

const vocabulary = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
function textFor(r: () => number, words = 60): string {
  const out: string[] = [];
  // Zipf-like: low word ids are common, high ones rare (good BM25 contrast).
  for (let i = 0; i < words; i++) out.push(vocabulary[Math.floor(vocabulary.length * r() ** 3)]!);
  return out.join(' ');
}

const fastEmbed: InstrumentedEmbed = async ({ input }) => ({
  model,
  embeddings: input.map((t) => {
    let h = 2166136261;
    for (let i = 0; i < t.length; i++) h = Math.imul(h ^ t.charCodeAt(i), 16777619);
    return Array.from(vectorNear(h >>> 0, rng(h)));
  }),
}) as never;

const noopLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => noopLogger } as unknown as Logger;

function kbAt(storeUri: string, extra: { annIndexMinRows?: number; writeBatchChunks?: number } = {}): KnowledgeBase {
  return createKnowledgeBase({
    settings: { storeUri, embedModel: model, maxFileBytes: 5_000_000, chunkChars: 1200, chunkOverlapChars: 150, embedBatchSize: 64, writeBatchChunks: extra.writeBatchChunks ?? 512, annIndexMinRows: extra.annIndexMinRows ?? 10_000_000 },
    embed: fastEmbed,
    tracer: trace.getTracer('bench'),
    registry: createMetricsRegistry(),
    logger: noopLogger,
    report: (err) => console.error('telemetry:', err),
    buildAnnIndex: false,
  });
}

const fmt = (ms: number) => ms.toFixed(1);
const rows: string[] = [];
const report = (line: string) => {
  rows.push(line);
  console.log(line);
};

async function time(n: number, run: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 3; i++) await run(i + 1000); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await run(i);
    samples.push(performance.now() - t);
  }
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

async function benchIngestion(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bruno-bench-ingest-'));
  const docs = join(dir, 'docs');
  mkdirSync(docs);
  const r = rng(7);
  for (let f = 0; f < 400; f++) {
    const sections = Array.from({ length: 6 }, (_, s) => `## Section ${s}\n\n${textFor(r, 120)}\n\n${textFor(r, 120)}`);
    writeFileSync(join(docs, `doc-${f}.md`), `# Document ${f}\n\n${sections.join('\n\n')}\n`);
  }
  const kb = kbAt(join(dir, 'store'));
  const t = performance.now();
  const summary = await kb.ingest([docs]);
  const seconds = (performance.now() - t) / 1000;
  report(`| ingestion (400 Markdown files, fake embedder) | ${summary.chunksAdded} chunks in ${seconds.toFixed(2)} s | **${(summary.chunksAdded / seconds).toFixed(0)} chunks/s** |`);
  const t2 = performance.now();
  const again = await kb.ingest([docs]);
  report(`| re-ingestion, nothing changed | ${again.filesUnchanged} files checked in ${((performance.now() - t2) / 1000).toFixed(2)} s | |`);
  await kb.close();
  rmSync(dir, { recursive: true, force: true });
}

async function fillTable(storeUri: string, n: number): Promise<{ vectors: Float32Array; texts: string[] }> {
  const store = createKbStore(storeUri);
  const table = (await store.openChunksTable(model, dim, true))!;
  const r = rng(n);
  const all = new Float32Array(n * dim);
  const texts: string[] = [];
  const batch = 5000;
  for (let at = 0; at < n; at += batch) {
    const part = [];
    for (let i = at; i < Math.min(n, at + batch); i++) {
      const v = vectorNear(Math.floor(r() * 1e9), r);
      all.set(v, i * dim);
      const text = textFor(r);
      texts.push(text);
      part.push({ id: `c${i}`, source_id: 's', path: `/bench/doc-${Math.floor(i / 8)}.md`, heading: `Section ${i % 8}`, position: i % 8, text, text_hash: `${i}`, file_hash: 'h', mtime: 0, embedding_version: `${model}@${dim}`, vector: v });
    }
    await table.add(part);
  }
  const { Index } = await loadLance();
  const t = performance.now();
  await table.createIndex('text', { config: Index.fts() });
  await table.optimize();
  report(`| ${n} chunks: table written, FTS index built in ${((performance.now() - t) / 1000).toFixed(1)} s | | |`);
  store.close();
  return { vectors: all, texts };
}

function bruteForce(all: Float32Array, n: number, q: Float32Array): number[] {
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

async function benchQueries(n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `bruno-bench-${n}-`));
  const storeUri = join(dir, 'store');
  const { vectors, texts } = await fillTable(storeUri, n);
  const lancedb = await loadLance();
  const rrf = await lancedb.rerankers.RRFReranker.create();
  const r = rng(99);
  // Queries: three words of a stored text (so BM25 finds something), and a vector near a stored one.
  const qs = Array.from({ length: queries + 10 }, () => {
    const i = Math.floor(r() * n);
    const words = texts[i]!.split(' ');
    return { text: `${words[5]} ${words[20]} ${words[40]}`, vector: normalize(vectors.slice(i * dim, (i + 1) * dim).map((x) => x + (r() - 0.5) * 0.01)) };
  });
  const queryVector = new Map(qs.map((q) => [q.text, q.vector]));
  const embed: InstrumentedEmbed = async ({ input }) => ({ model, embeddings: input.map((t) => Array.from(queryVector.get(t) ?? vectorNear(0, r))) }) as never;
  const columns = ['id', 'path', 'heading', 'position', 'text'];

  const measure = async (label: string, ann: { nprobes: number; refineFactor: number } | null) => {
    const kb = createKnowledgeBase({
      settings: { storeUri, embedModel: model, maxFileBytes: 1, chunkChars: 1200, chunkOverlapChars: 0, embedBatchSize: 64, writeBatchChunks: 512, annIndexMinRows: 10_000_000 },
      embed,
      tracer: trace.getTracer('bench'),
      registry: createMetricsRegistry(),
      logger: noopLogger,
      report: () => {},
      buildAnnIndex: false,
      ...(ann ? { ann: ann } : {}),
    });
    const db = await lancedb.connect(storeUri);
    const table = await db.openTable((await db.tableNames()).find((t) => t.startsWith('kb_chunks__'))!);
    const first = await kb.search(qs[0]!.text, { mode: 'hybrid', k });
    if ((first.annIndex ? 1 : 0) !== (ann ? 1 : 0)) console.warn(`  (ANN index ${first.annIndex ? 'used' : 'not used'} for ${label})`);
    // Alternate ours and bare per query, so both see the same cache state and machine noise.
    const ours: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < qs.length; i++) {
      const q = qs[i]!;
      let t = performance.now();
      await kb.search(q.text, { mode: 'hybrid', k });
      if (i >= 5) ours.push(performance.now() - t);
      t = performance.now();
      let vq = table.query().fullTextSearch(q.text).nearestTo(q.vector).distanceType('cosine');
      if (ann) vq = vq.nprobes(ann.nprobes).refineFactor(ann.refineFactor);
      await vq.rerank(rrf).select(columns).limit(k).toArray();
      if (i >= 5) bare.push(performance.now() - t);
    }
    const o = { p50: percentile(ours, 50), p95: percentile(ours, 95) };
    const b = { p50: percentile(bare, 50), p95: percentile(bare, 95) };
    report(`| ${n} | ${label} | ours hybrid p50 ${fmt(o.p50)} / p95 **${fmt(o.p95)} ms** | bare LanceDB hybrid p50 ${fmt(b.p50)} / p95 ${fmt(b.p95)} ms | overhead p50 ${(o.p50 / b.p50).toFixed(2)}x, p95 ${(o.p95 / b.p95).toFixed(2)}x |`);
    if (!ann) {
      const vec = await time(Math.min(queries, 20), (i) => table.vectorSearch(qs[i % qs.length]!.vector).distanceType('cosine').select([...columns, '_distance']).limit(k).toArray());
      const fts = await time(Math.min(queries, 20), (i) => table.query().fullTextSearch(qs[i % qs.length]!.text).select(columns).limit(k).toArray());
      const brute = await time(Math.min(queries, 20), async (i) => bruteForce(vectors, n, qs[i % qs.length]!.vector));
      report(`| ${n} | flat | LanceDB vector only p50 ${fmt(vec.p50)} / p95 ${fmt(vec.p95)} ms | FTS only p50 ${fmt(fts.p50)} / p95 ${fmt(fts.p95)} ms | brute-force JS scan p50 ${fmt(brute.p50)} / p95 ${fmt(brute.p95)} ms |`);
    } else {
      // recall of the ANN vector search against the exact top-k
      let found = 0;
      for (const q of qs.slice(0, 20)) {
        const exact = new Set(bruteForce(vectors, n, q.vector).map((i) => `c${i}`));
        const got = (await table.vectorSearch(q.vector).distanceType('cosine').nprobes(ann.nprobes).refineFactor(ann.refineFactor).select(['id', '_distance']).limit(k).toArray()) as { id: string }[];
        found += got.filter((g) => exact.has(g.id)).length;
      }
      report(`| ${n} | ${label} | vector recall@${k} vs exact: ${((found / (20 * k)) * 100).toFixed(0)}% | | |`);
    }
    db.close();
    await kb.close();
  };

  await measure('flat (no ANN index)', null);
  const types = indexTypes.length ? indexTypes : n <= 20_000 ? (['ivf_pq', 'ivf_flat', 'ivf_hnsw_sq'] as AnnIndexType[]) : (['ivf_pq'] as AnnIndexType[]);
  for (const type of types) {
    const db = await lancedb.connect(storeUri);
    const table = await db.openTable((await db.tableNames()).find((t) => t.startsWith('kb_chunks__'))!);
    // Queries keep running while the index builds: the build must not block them.
    let during = 0;
    let duringMax = 0;
    let building = true;
    const prober = (async () => {
      const kb = kbAt(storeUri);
      while (building) {
        const t = performance.now();
        await kb.search(qs[during % qs.length]!.text, { mode: 'fts', k });
        duringMax = Math.max(duringMax, performance.now() - t);
        during++;
        await new Promise((r2) => setTimeout(r2, 50));
      }
      await kb.close();
    })();
    const seconds = await buildAnnIndex(table, type, n, dim).finally(() => {
      building = false;
    });
    await prober;
    report(`| ${n} | ${type} index | built in **${seconds.toFixed(1)} s** | ${during} queries answered during the build (slowest ${fmt(duringMax)} ms) | |`);
    db.close();
    await measure(`${type}, nprobes 20, refine 5`, { nprobes: 20, refineFactor: 5 });
    const db2 = await lancedb.connect(storeUri);
    const t2 = await db2.openTable((await db2.tableNames()).find((t) => t.startsWith('kb_chunks__'))!);
    for (const idx of await t2.listIndices()) if (idx.columns.includes('vector')) await t2.dropIndex(idx.name);
    db2.close();
  }
  rmSync(dir, { recursive: true, force: true });
}

const started = performance.now();
console.log(`| benchmark | | | | |\n|---|---|---|---|---|`);
await benchIngestion();
for (const n of sizes) await benchQueries(n);
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s; node ${process.version}; ${(await import('node:os')).cpus().length} CPUs`);
