/**
 * Knowledge base benchmarks (not part of `npm test`):
 *   npx tsx tests/bench/rag-bench.ts                 # ingestion + 10k + 100k (see docs/benchmarks.md for times)
 *   RAG_BENCH_SIZES=10000 npx tsx tests/bench/rag-bench.ts
 *   RAG_BENCH_INDEXES=ivf_pq,ivf_hnsw_sq npx tsx tests/bench/rag-bench.ts   # index types at every size
 *   RAG_BENCH_INGEST=0 skips the ingestion rate; RAG_BENCH_PIPELINE=0 the pipeline over HTTP
 *   (rag-pipeline-bench.ts: ours vs a bare pipeline, 20 ms embed latency, search during ingestion);
 *   RAG_BENCH_QUERIES=N queries per measurement (40);
 *   RAG_BENCH_CHUNKS=100000 (or BENCH_CHUNKS) adds the 100k-chunk ingestion with searches sampled
 *   throughout it and the ANN build (rag-scale-bench.ts; minutes).
 *
 * 1. Ingestion rate (chunks/s) through the real pipeline (walk, read, chunk, embed in batches,
 *    LanceDB writes, FTS index) with a fast in-process fake embedder, so the pipeline is measured.
 * 2. Hybrid query latency p50/p95 at each size (768-d vectors, clustered, with words for BM25):
 *    ours (kb.search hybrid: vector + BM25 concurrently, our fusion) against a bare LanceDB hybrid
 *    query (the same full-text query + nearestTo + RRFReranker, limit k) on the same table in the
 *    same run, plus a LanceDB flat vector search and a brute-force JS scan; then again with each
 *    ANN index type: build time, queries and writes answered while it builds, recall@k.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { annQueryDefaults, buildAnnIndex, defaultAnnIndexType, refineFactorFor, refineRowsFor, type AnnIndexType } from '../../core/rag/ann-index';
import type { KnowledgeBase } from '../../core/rag';
import { ftsColumns } from '../../core/rag/search';
import { loadLance } from '../../core/rag/store';
import type { Embed } from '../../core/llm';
import { seededRandom } from '../support/seeded-random';
import { benchKnowledgeBase, benchQueries, bruteForce, chunkRow, dim, fillChunks, model, fastVectors, textFor, vectorNear } from './rag-data';
import { percentile } from './stats';
import { benchPipeline } from './rag-pipeline-bench';
import { benchScale } from './rag-scale-bench';

const sizes = (process.env.RAG_BENCH_SIZES ?? '10000,100000').split(',').map(Number).filter((n) => n > 0);
const indexTypes = (process.env.RAG_BENCH_INDEXES ?? '').split(',').filter(Boolean) as AnnIndexType[];
const queries = Number(process.env.RAG_BENCH_QUERIES ?? 40);
const runIngestion = process.env.RAG_BENCH_INGEST !== '0';
const k = 10;
/**
 * Query-time ANN options: the knowledge base's defaults unless RAG_BENCH_NPROBES / RAG_BENCH_REFINE
 * (a fixed re-rank factor for ours and the bare hybrid). By default the bare hybrid asks for k
 * rows and re-ranks as many rows exactly as ours does (refineRowsFor the index type).
 */
const annQuery = { nprobes: Number(process.env.RAG_BENCH_NPROBES ?? annQueryDefaults.nprobes), ...(process.env.RAG_BENCH_REFINE ? { refineFactor: Number(process.env.RAG_BENCH_REFINE) } : {}) };
const bareRefineFor = (type: AnnIndexType) => annQuery.refineFactor ?? refineFactorFor(k, refineRowsFor(type));
const annLabel = (type: AnnIndexType) => `${type}, nprobes ${annQuery.nprobes}, ${annQuery.refineFactor ? `refine ${annQuery.refineFactor}` : `${refineRowsFor(type)} rows re-ranked`}`;

const fastEmbed: Embed = async ({ input }) => ({ model, embeddings: fastVectors(input).map((v) => Array.from(v)) }) as never;

function kbAt(storeUri: string, extra: { annIndexMinRows?: number; writeBatchChunks?: number } = {}): KnowledgeBase {
  return benchKnowledgeBase(storeUri, fastEmbed, {
    settings: { maxFileBytes: 5_000_000, chunkOverlapChars: 150, ...extra },
    report: (err) => console.error('telemetry:', err),
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
  const r = seededRandom(7);
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

async function benchSize(n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `bruno-bench-${n}-`));
  const storeUri = join(dir, 'store');
  const filled = await fillChunks(storeUri, n);
  const { vectors } = filled;
  report(`| ${n} | table written | FTS indexes (${ftsColumns.join(', ')}) built in **${filled.ftsSeconds.toFixed(1)} s** | optimize ${filled.optimizeSeconds.toFixed(1)} s | |`);
  const lancedb = await loadLance();
  const rrf = await lancedb.rerankers.RRFReranker.create();
  const r = seededRandom(98);
  const qs = benchQueries(filled, queries + 10);
  const queryVector = new Map(qs.map((q) => [q.text, q.vector]));
  const embed: Embed = async ({ input }) => ({ model, embeddings: input.map((t) => Array.from(queryVector.get(t) ?? vectorNear(0, r))) }) as never;
  const columns = ['id', 'path', 'heading', 'position', 'text'];
  // The full-text query ours runs (search.ts ftsSearch): the bare hybrid gets the same one.
  const ftsQuery = (text: string) => new lancedb.MultiMatchQuery(text, [...ftsColumns]);

  const measure = async (label: string, ann: typeof annQuery | null, bareRefine = 1) => {
    const kb = benchKnowledgeBase(storeUri, embed, ann ? { ann } : {});
    const db = await lancedb.connect(storeUri);
    const table = await db.openTable((await db.tableNames()).find((t) => t.startsWith('kb_chunks__'))!);
    const first = await kb.search(qs[0]!.text, { mode: 'hybrid', k });
    if ((first.annIndex ? 1 : 0) !== (ann ? 1 : 0)) console.warn(`  (ANN index ${first.annIndex ? 'used' : 'not used'} for ${label})`);
    // Alternate ours and bare per query, so both see the same cache state and machine noise.
    const ours: number[] = [];
    const bare: number[] = [];
    const stages = { vectorMs: [] as number[], ftsMs: [] as number[], fuseMs: [] as number[] };
    for (let i = 0; i < qs.length; i++) {
      const q = qs[i]!;
      let t = performance.now();
      const result = await kb.search(q.text, { mode: 'hybrid', k });
      if (i >= 5) {
        ours.push(performance.now() - t);
        for (const key of Object.keys(stages) as (keyof typeof stages)[]) stages[key].push(result.timings[key]);
      }
      t = performance.now();
      let vq = table.query().fullTextSearch(ftsQuery(q.text)).nearestTo(q.vector).distanceType('cosine');
      if (ann) vq = vq.nprobes(ann.nprobes).refineFactor(bareRefine);
      await vq.rerank(rrf).select(columns).limit(k).toArray();
      if (i >= 5) bare.push(performance.now() - t);
    }
    const o = { p50: percentile(ours, 50), p95: percentile(ours, 95) };
    const b = { p50: percentile(bare, 50), p95: percentile(bare, 95) };
    report(`| ${n} | ${label} | ours hybrid p50 ${fmt(o.p50)} / p95 **${fmt(o.p95)} ms** | bare LanceDB hybrid p50 ${fmt(b.p50)} / p95 ${fmt(b.p95)} ms | overhead p50 ${(o.p50 / b.p50).toFixed(2)}x, p95 ${(o.p95 / b.p95).toFixed(2)}x |`);
    const stage = (xs: number[]) => `p50 ${fmt(percentile(xs, 50))} / p95 ${fmt(percentile(xs, 95))}`;
    report(`| ${n} | ${label} | ours by stage (ms, concurrent): vector ${stage(stages.vectorMs)} | full-text ${stage(stages.ftsMs)} | fusion ${stage(stages.fuseMs)} |`);
    if (!ann) {
      const vec = await time(Math.min(queries, 20), (i) => table.vectorSearch(qs[i % qs.length]!.vector).distanceType('cosine').select([...columns, '_distance']).limit(k).toArray());
      const fts = await time(Math.min(queries, 20), (i) => table.query().fullTextSearch(ftsQuery(qs[i % qs.length]!.text)).select(columns).limit(k).toArray());
      const brute = await time(Math.min(queries, 20), async (i) => bruteForce(vectors, n, qs[i % qs.length]!.vector, k));
      report(`| ${n} | flat | LanceDB vector only p50 ${fmt(vec.p50)} / p95 ${fmt(vec.p95)} ms | FTS only p50 ${fmt(fts.p50)} / p95 ${fmt(fts.p95)} ms | brute-force JS scan p50 ${fmt(brute.p50)} / p95 ${fmt(brute.p95)} ms |`);
    } else {
      // recall of the ANN vector search against the exact top-k
      let found = 0;
      const recallQueries = qs.slice(0, 20);
      for (const q of recallQueries) {
        const exact = new Set(bruteForce(vectors, n, q.vector, k).map((i) => `c${i}`));
        const got = (await table.vectorSearch(q.vector).distanceType('cosine').nprobes(ann.nprobes).refineFactor(bareRefine).select(['id', '_distance']).limit(k).toArray()) as { id: string }[];
        found += got.filter((g) => exact.has(g.id)).length;
      }
      report(`| ${n} | ${label} | vector recall@${k} vs exact: ${((found / (recallQueries.length * k)) * 100).toFixed(0)}% | | |`);
    }
    db.close();
    await kb.close();
  };

  await measure('flat (no ANN index)', null);
  const types = indexTypes.length ? indexTypes : n <= 20_000 ? ([defaultAnnIndexType, 'ivf_pq', 'ivf_flat'] as AnnIndexType[]) : ([defaultAnnIndexType, 'ivf_pq'] as AnnIndexType[]);
  for (const type of types) {
    const db = await lancedb.connect(storeUri);
    const table = await db.openTable((await db.tableNames()).find((t) => t.startsWith('kb_chunks__'))!);
    // Queries (hybrid, through the knowledge base) and writes (the chunk batches an ingestion
    // adds) keep running while the index builds: the build must block neither.
    // Writes are bounded (an ingestion ends): unbounded, a long build would be measured against
    // a table of thousands of small unindexed fragments.
    let building = true;
    const loop = async (pauseMs: number, max: number, work: (i: number) => Promise<unknown>) => {
      const spent: number[] = [];
      while (building && spent.length < max) {
        const t = performance.now();
        await work(spent.length);
        spent.push(performance.now() - t);
        await new Promise((r2) => setTimeout(r2, pauseMs));
      }
      return spent;
    };
    const kbDuring = kbAt(storeUri);
    const prober = loop(50, Infinity, (i) => kbDuring.search(qs[i % qs.length]!.text, { mode: 'hybrid', k }));
    const writer = loop(1000, 20, (i) => table.add(Array.from({ length: 64 }, (_, j) => chunkRow(`live-${i}-${j}`, j, textFor(r), vectorNear(j, r)))));
    const seconds = await buildAnnIndex(table, type, n, dim).finally(() => {
      building = false;
    });
    const [during, writes] = await Promise.all([prober, writer]);
    await kbDuring.close();
    report(`| ${n} | ${type} index | built in **${seconds.toFixed(1)} s** | ${during.length} hybrid queries answered during the build (p50 ${fmt(percentile(during, 50))}, slowest ${fmt(Math.max(0, ...during))} ms) | ${writes.length} writes of 64 chunks (one a second, at most 20) during the build (slowest ${fmt(Math.max(0, ...writes))} ms) |`);
    // The rows written meanwhile go again, so every measurement sees the same n chunks.
    await table.delete(`id LIKE 'live-%'`);
    await table.optimize();
    db.close();
    await measure(annLabel(type), annQuery, bareRefineFor(type));
    const db2 = await lancedb.connect(storeUri);
    const t2 = await db2.openTable((await db2.tableNames()).find((t) => t.startsWith('kb_chunks__'))!);
    for (const idx of await t2.listIndices()) if (idx.columns.includes('vector')) await t2.dropIndex(idx.name);
    db2.close();
  }
  rmSync(dir, { recursive: true, force: true });
}

const started = performance.now();
console.log(`| benchmark | | | | |\n|---|---|---|---|---|`);
if (runIngestion) await benchIngestion();
if (process.env.RAG_BENCH_PIPELINE !== '0') await benchPipeline(report, fastEmbed);
const scaleChunks = Number(process.env.RAG_BENCH_CHUNKS ?? process.env.BENCH_CHUNKS ?? 0);
if (scaleChunks > 0) await benchScale(report, fastEmbed, scaleChunks);
for (const n of sizes) await benchSize(n);
const lanceVersion = (JSON.parse(readFileSync(new URL('../../node_modules/@lancedb/lancedb/package.json', import.meta.url), 'utf8')) as { version: string }).version;
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s; node ${process.version}; @lancedb/lancedb ${lanceVersion}; ${(await import('node:os')).availableParallelism()} CPUs`);
