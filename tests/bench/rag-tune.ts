/**
 * Where the time of a hybrid query goes at N chunks, and what the query parameters cost (not part
 * of `npm test`; docs/benchmarks.md "Knowledge base" cites it):
 *   RAG_TUNE_SIZE=100000 RAG_TUNE_INDEX=ivf_hnsw_sq npx tsx tests/bench/rag-tune.ts
 * The store is kept in RAG_TUNE_DIR (default /tmp/bruno-rag-tune-<size>-<index>) and reused by
 * the next run. Every query runs every variant in turn, so all see the same machine noise.
 * Variants: LanceDB's full-text and vector queries alone at the limits ours and the bare hybrid
 * use, search.ts's functions without the knowledge base around them, and ours (kb.search hybrid)
 * against the bare LanceDB hybrid with several ANN options.
 * Each LanceDB connection has caches of its own (index pages, metadata): a handle that many
 * variants share stays warmer than one used by a single variant. The component variants share
 * one handle; ours and the bare hybrid each get a connection of their own, as in rag-bench.ts.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { annQueryDefaults, buildAnnIndex, hasVectorIndex, type AnnIndexType } from '../../core/rag/ann-index';
import type { KnowledgeBase } from '../../core/rag';
import { candidatePool, ftsColumns, ftsSearch, fuseHybrid, vectorSearch } from '../../core/rag/search';
import { loadLance } from '../../core/rag/store';
import type { Embed } from '../../core/llm';
import { benchKnowledgeBase, benchQueries, bruteForce, dim, fillChunks, generateChunks, model } from './rag-data';
import { percentile } from './stats';

const n = Number(process.env.RAG_TUNE_SIZE ?? 100_000);
const indexType = (process.env.RAG_TUNE_INDEX ?? 'ivf_hnsw_sq') as AnnIndexType | 'none';
const dir = process.env.RAG_TUNE_DIR ?? `/tmp/bruno-rag-tune-${n}-${indexType}`;
const count = Number(process.env.RAG_TUNE_QUERIES ?? 60);
const nprobesList = (process.env.RAG_TUNE_NPROBES ?? `${annQueryDefaults.nprobes}`).split(',').map(Number);
const k = 10;
const pool = candidatePool(k);
const storeUri = join(dir, 'store');

const fresh = !existsSync(storeUri);
const filled = fresh ? await fillChunks(storeUri, n) : generateChunks(n);
const lancedb = await loadLance();
const db = await lancedb.connect(storeUri);
const table = await db.openTable((await db.tableNames()).find((t) => t.startsWith('kb_chunks__'))!);
if (indexType !== 'none' && !(await hasVectorIndex(table))) {
  const seconds = await buildAnnIndex(table, indexType, n, dim);
  console.log(`${indexType} index built in ${seconds.toFixed(1)} s`);
}
const qs = benchQueries(filled, count + 5, 99);
const byText = new Map(qs.map((q) => [q.text, q.vector]));
const embed: Embed = async ({ input }) => ({ model, embeddings: input.map((t) => Array.from(byText.get(t)!)) }) as never;
const kbWith = (ann: { nprobes: number; refineFactor: number }): KnowledgeBase => benchKnowledgeBase(storeUri, embed, { ann });
const rrf = await lancedb.rerankers.RRFReranker.create();
const ownConnection = async () => (await lancedb.connect(storeUri)).openTable(table.name);
const columns = ['id', 'path', 'heading', 'position', 'text'];
const multi = (text: string) => new lancedb.MultiMatchQuery(text, [...ftsColumns]);

type Variant = { name: string; run: (q: { text: string; vector: Float32Array }) => Promise<unknown>; ids?: (q: { text: string; vector: Float32Array }) => Promise<string[]> };
const variants: Variant[] = [
  { name: `full-text (${ftsColumns.join('+')}), limit ${k}`, run: (q) => table.query().fullTextSearch(multi(q.text)).select(columns).limit(k).toArray() },
  { name: `full-text (${ftsColumns.join('+')}), limit ${pool}`, run: (q) => table.query().fullTextSearch(multi(q.text)).select(columns).limit(pool).toArray() },
  { name: `full-text (text), limit ${pool}`, run: (q) => table.query().fullTextSearch(q.text, { columns: 'text' }).select(columns).limit(pool).toArray() },
];
const vectorIds = (limit: number, nprobes: number, refine: number) => async (q: { vector: Float32Array }) =>
  ((await table.vectorSearch(q.vector).distanceType('cosine').nprobes(nprobes).refineFactor(refine).select(['id', '_distance']).limit(limit).toArray()) as { id: string }[]).map((r) => r.id).slice(0, k);
const kbs: KnowledgeBase[] = [];
const stageSamples: { name: string; stages: Record<string, number[]> }[] = [];
for (const nprobes of indexType === 'none' ? [0] : nprobesList) {
  for (const [limit, refine] of [
    [k, 5],
    [pool, 5],
    [pool, 1],
  ] as const) {
    if (indexType === 'none') break;
    const ids = vectorIds(limit, nprobes, refine);
    variants.push({ name: `vector, limit ${limit}, nprobes ${nprobes}, refine ${refine}`, run: ids, ids });
  }
  // Ours' LanceDB work without the knowledge base around it: both searches at once with the
  // hit columns, search.ts's functions with the fusion (on the shared handle and on a connection
  // of their own), and a two-phase variant (ids and paths for the fusion, then the columns of the
  // final k rows by row id).
  const ann = <T extends { nprobes(n: number): T; refineFactor(r: number): T }>(query: T) => (indexType === 'none' ? query : query.nprobes(nprobes).refineFactor(1));
  const annOptions = indexType === 'none' ? null : { nprobes, refineFactor: 1 };
  variants.push({
    name: `vector + full-text at once, limit ${pool}, nprobes ${nprobes}, refine 1, hit columns`,
    run: (q) => Promise.all([ann(table.vectorSearch(q.vector).distanceType('cosine')).select([...columns, '_distance']).limit(pool).toArray(), table.query().fullTextSearch(multi(q.text)).select(columns).limit(pool).toArray()]),
  });
  for (const [where, handle] of [
    ['shared handle', table],
    ['own connection', await ownConnection()],
  ] as const) {
    variants.push({
      name: `search.ts vectorSearch + ftsSearch + fuseHybrid, ${where}, nprobes ${nprobes}, refine 1`,
      run: async (q) => {
        const [v, f] = await Promise.all([vectorSearch(handle, q.vector, pool, annOptions), ftsSearch(handle, q.text, pool)]);
        return fuseHybrid(v, f, q.text, k, { limit: pool });
      },
    });
  }
  variants.push({
    name: `two-phase: id + path, then ${k} rows by row id, nprobes ${nprobes}, refine 1`,
    run: async (q) => {
      const [v, f] = await Promise.all([
        ann(table.vectorSearch(q.vector).distanceType('cosine')).select(['id', 'path', '_distance']).withRowId().limit(pool).toArray(),
        table.query().fullTextSearch(multi(q.text)).select(['id', 'path']).withRowId().limit(pool).toArray(),
      ]);
      const rowIds = [...new Set([...v.slice(0, k / 2), ...f.slice(0, k / 2)].map((r) => r._rowid as bigint))];
      return table.takeRowIds(rowIds).select(columns).toArray();
    },
  });
  for (const refine of indexType === 'none' ? [1] : [5, 1]) {
    const kb = kbWith({ nprobes: Math.max(1, nprobes), refineFactor: refine });
    kbs.push(kb);
    const stages: Record<string, number[]> = {};
    stageSamples.push({ name: `ours hybrid, nprobes ${nprobes}, refine ${refine}`, stages });
    variants.push({
      name: `ours hybrid, nprobes ${nprobes}, refine ${refine}`,
      run: async (q) => {
        const result = await kb.search(q.text, { mode: 'hybrid', k });
        for (const [key, ms] of Object.entries(result.timings)) (stages[key] ??= []).push(ms);
      },
    });
    // The bare hybrid re-ranks as many rows exactly as ours: limit k x (pool / k x refine).
    const bareRefine = Math.round((pool / k) * refine);
    const bareTable = await ownConnection();
    variants.push({
      name: `bare LanceDB hybrid, limit ${k}, nprobes ${nprobes}, refine ${bareRefine}`,
      run: (q) => {
        let query = bareTable.query().fullTextSearch(multi(q.text)).nearestTo(q.vector).distanceType('cosine');
        if (indexType !== 'none') query = query.nprobes(nprobes).refineFactor(bareRefine);
        return query.rerank(rrf).select(columns).limit(k).toArray();
      },
    });
  }
}

const samples = variants.map(() => [] as number[]);
const recall = variants.map(() => 0);
for (let i = 0; i < qs.length; i++) {
  const q = qs[i]!;
  // Rotate the order per query so no variant always runs first (cold) or last.
  for (let j = 0; j < variants.length; j++) {
    const v = (i + j) % variants.length;
    const t = performance.now();
    await variants[v]!.run(q);
    if (i >= 5) samples[v]!.push(performance.now() - t);
  }
}
const recallQueries = qs.slice(0, 20);
for (const q of recallQueries) {
  const exact = new Set(bruteForce(filled.vectors, n, q.vector, k).map((i) => `c${i}`));
  for (let v = 0; v < variants.length; v++) if (variants[v]!.ids) recall[v]! += (await variants[v]!.ids!(q)).filter((id) => exact.has(id)).length;
}
console.log(`\n${n} chunks, ${indexType} index, ${count} queries, LANCE_CPU_THREADS=${process.env.LANCE_CPU_THREADS ?? '(default)'}, ${availableParallelism()} CPUs\n`);
console.log('| variant | p50 ms | p95 ms | vector recall@10 |\n|---|---|---|---|');
variants.forEach((v, i) => console.log(`| ${v.name} | ${percentile(samples[i]!, 50).toFixed(1)} | ${percentile(samples[i]!, 95).toFixed(1)} | ${v.ids ? `${((recall[i]! / (recallQueries.length * k)) * 100).toFixed(0)}%` : ''} |`));
for (const { name, stages } of stageSamples) console.log(`\n${name}, by stage (p50 / p95 ms): ${Object.entries(stages).map(([key, xs]) => `${key} ${percentile(xs, 50).toFixed(1)} / ${percentile(xs, 95).toFixed(1)}`).join(', ')}`);
for (const kb of kbs) await kb.close();
db.close();
