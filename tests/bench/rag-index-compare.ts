/**
 * The ANN index types side by side at N chunks, queries interleaved so every type sees the same
 * machine noise (not part of `npm test`; docs/benchmarks.md "Knowledge base" cites it):
 *   RAG_TUNE_SIZE=100000 RAG_COMPARE_INDEXES=ivf_hnsw_sq,ivf_rq,ivf_pq npx tsx tests/bench/rag-index-compare.ts
 * One store per type in /tmp/bruno-rag-tune-<size>-<type> (rag-tune.ts's; built when missing, kept).
 * Per type: the build time (when built here), ours (kb.search hybrid, the knowledge base's query
 * defaults) and the vector search alone at the candidate pool, and vector recall@10 vs exact.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { annQueryDefaults, buildAnnIndex, hasVectorIndex, refineFactorFor, refineRowsFor, type AnnIndexType } from '../../core/rag/ann-index';
import type { KnowledgeBase } from '../../core/rag';
import { candidatePool } from '../../core/rag/search';
import { loadLance } from '../../core/rag/store';
import type { Embed } from '../../core/llm';
import { benchKnowledgeBase, benchQueries, bruteForce, dim, fillChunks, generateChunks, model } from './rag-data';
import { percentile } from './stats';

const n = Number(process.env.RAG_TUNE_SIZE ?? 100_000);
const types = (process.env.RAG_COMPARE_INDEXES ?? 'ivf_hnsw_sq,ivf_rq,ivf_pq').split(',') as AnnIndexType[];
const count = Number(process.env.RAG_TUNE_QUERIES ?? 60);
const k = 10;
const pool = candidatePool(k);
const lancedb = await loadLance();
const data = generateChunks(n);
const qs = benchQueries(data, count + 5, 99);
const byText = new Map(qs.map((q) => [q.text, q.vector]));
const embed: Embed = async ({ input }) => ({ model, embeddings: input.map((t) => Array.from(byText.get(t)!)) }) as never;

interface Entry {
  type: AnnIndexType;
  built?: number;
  kb: KnowledgeBase;
  vector: (v: Float32Array) => Promise<{ id: string }[]>;
  ours: number[];
  alone: number[];
  found: number;
}
const entries: Entry[] = [];
for (const type of types) {
  const storeUri = join(`/tmp/bruno-rag-tune-${n}-${type}`, 'store');
  if (!existsSync(storeUri)) await fillChunks(storeUri, n);
  const db = await lancedb.connect(storeUri);
  const table = await db.openTable((await db.tableNames()).find((t) => t.startsWith('kb_chunks__'))!);
  const built = (await hasVectorIndex(table)) ? undefined : await buildAnnIndex(table, type, n, dim);
  const refine = refineFactorFor(pool, refineRowsFor(type));
  const kb = benchKnowledgeBase(storeUri, embed);
  const vector = async (v: Float32Array) => (await table.vectorSearch(v).distanceType('cosine').nprobes(annQueryDefaults.nprobes).refineFactor(refine).select(['id', '_distance']).limit(pool).toArray()) as { id: string }[];
  entries.push({ type, ...(built !== undefined ? { built } : {}), kb, vector, ours: [], alone: [], found: 0 });
}
for (let i = 0; i < qs.length; i++) {
  const q = qs[i]!;
  for (let j = 0; j < entries.length; j++) {
    const e = entries[(i + j) % entries.length]!;
    let t = performance.now();
    await e.kb.search(q.text, { mode: 'hybrid', k });
    if (i >= 5) e.ours.push(performance.now() - t);
    t = performance.now();
    await e.vector(q.vector);
    if (i >= 5) e.alone.push(performance.now() - t);
  }
}
const recallQueries = qs.slice(0, 20);
for (const q of recallQueries) {
  const exact = new Set(bruteForce(data.vectors, n, q.vector, k).map((i) => `c${i}`));
  for (const e of entries) e.found += (await e.vector(q.vector)).slice(0, k).filter((r) => exact.has(r.id)).length;
}
console.log(`\n${n} chunks, ${count} queries interleaved, nprobes ${annQueryDefaults.nprobes}, ${availableParallelism()} CPUs\n`);
console.log('| index | built in | rows re-ranked | ours hybrid p50 / p95 ms | vector alone (limit ' + pool + ') p50 / p95 ms | vector recall@10 |\n|---|---|---|---|---|---|');
for (const e of entries) {
  console.log(`| ${e.type} | ${e.built !== undefined ? `${e.built.toFixed(1)} s` : '(earlier)'} | ${refineRowsFor(e.type)} | ${percentile(e.ours, 50).toFixed(1)} / ${percentile(e.ours, 95).toFixed(1)} | ${percentile(e.alone, 50).toFixed(1)} / ${percentile(e.alone, 95).toFixed(1)} | ${((e.found / (recallQueries.length * k)) * 100).toFixed(0)}% |`);
  await e.kb.close();
}
