/**
 * An ANN index trained early on a growing table (issue 18, "Scale, fourth pass"):
 *   npx tsx tests/bench/rag-ann-growth.ts                  # N=100000 STEPS=4096
 *   TOKIO_WORKER_THREADS=2 npx tsx tests/bench/rag-ann-growth.ts   # LanceDB's runtime default on 2 CPUs
 * Writes the first STEPS rows of the bench's 768-d chunks, builds IVF_RQ over them (the build
 * time), writes the rest up to N and optimizes (folding them into the partitions trained on the
 * early rows), then measures recall@10 of the vector search against the exact top 10 (brute
 * force) and its latency, rebuilds the index over all N rows and measures again. Indexed-only
 * vector searches (fastSearch, what searches read during a job) run every 100 ms during the
 * optimize and the rebuild: their p50/p95/max say how much a native optimize or build holds them.
 * EXTRA / FINAL_EXTRA: IVF_RQ build options (JSON, e.g. {"maxIterations":10,"sampleRate":64}) of
 * the early builds and of the final rebuild.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partitionsFor } from '../../core/rag/ann-index';
import { createKbStore, loadLance } from '../../core/rag/store';
import { benchQueries, bruteForce, chunkRow, dim, generateChunks, model } from './rag-data';
import { percentile } from './stats';

const dir = mkdtempSync(join(tmpdir(), 'bruno-ann-growth-'));
const store = createKbStore(join(dir, 'store'));
const table = (await store.openChunksTable(model, dim, true))!;
const n = Number(process.env.N ?? 100_000);
const steps = (process.env.STEPS ?? '4096').split(',').map(Number);
const extra = JSON.parse(process.env.EXTRA ?? '{}') as Record<string, number>;
const finalExtra = JSON.parse(process.env.FINAL_EXTRA ?? '{}') as Record<string, number>;
const { vectors, texts } = generateChunks(n);
const { Index } = await loadLance();
const queries = benchQueries({ vectors, texts }, 40);

async function add(from: number, to: number): Promise<void> {
  for (let at = from; at < to; at += 5000) {
    const part = [];
    for (let i = at; i < Math.min(to, at + 5000); i++) part.push(chunkRow(`c${i}`, i, texts[i]!, vectors.slice(i * dim, (i + 1) * dim)));
    await table.add(part);
  }
}

const search = (q: Float32Array, fast: boolean) => {
  const query = table.vectorSearch(q).distanceType('cosine').select(['id', '_distance']).limit(50).nprobes(20).refineFactor(5);
  return (fast ? query.fastSearch() : query).toArray() as Promise<{ id: string }[]>;
};

async function recall(rows: number): Promise<string> {
  let hits = 0;
  const ms: number[] = [];
  for (const q of queries) {
    const exact = new Set(bruteForce(vectors, rows, q.vector, 10).map((i) => `c${i}`));
    const t = performance.now();
    const got = await search(q.vector, true);
    ms.push(performance.now() - t);
    hits += got.slice(0, 10).filter((g) => exact.has(g.id)).length;
  }
  return `recall@10 **${((100 * hits) / (10 * queries.length)).toFixed(1)}%**, query p50 ${percentile(ms, 50).toFixed(1)} / p95 ${percentile(ms, 95).toFixed(1)} ms`;
}

/** Runs `work` with an indexed-only search every 100 ms beside it (and for 1 s after). */
async function beside<T>(work: () => Promise<T>): Promise<{ value: T; line: string }> {
  let on = true;
  const ms: number[] = [];
  let i = 0;
  const probe = (async () => {
    while (on) {
      const t = performance.now();
      await search(queries[i++ % queries.length]!.vector, true);
      ms.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const value = await work();
  await new Promise((r) => setTimeout(r, 1000));
  on = false;
  await probe;
  return { value, line: `searches beside it p50 ${percentile(ms, 50).toFixed(0)} / p95 **${percentile(ms, 95).toFixed(0)} ms** / max ${Math.max(...ms).toFixed(0)} ms (${ms.length})` };
}

async function build(rows: number, options: Record<string, number>): Promise<string> {
  const t = performance.now();
  await table.createIndex('vector', { config: Index.ivfRq({ numPartitions: partitionsFor(rows), distanceType: 'cosine', ...options }), replace: true });
  return ((performance.now() - t) / 1000).toFixed(2);
}

try {
  let at = 0;
  for (const s of steps) {
    await add(at, s);
    at = s;
    console.log(`| build over ${s} rows (${partitionsFor(s)} partitions) | ${await build(s, extra)} s | |`);
  }
  await add(at, n);
  const t = performance.now();
  const optimize = await beside(() => table.optimize());
  console.log(`| optimize to ${n} rows (folds them into the early partitions) | ${((performance.now() - t) / 1000).toFixed(2)} s | ${optimize.line} |`);
  console.log(`| ${n} rows, index trained on ${steps.at(-1)} | ${await recall(n)} | |`);
  const rebuild = await beside(() => build(n, finalExtra));
  console.log(`| rebuild over ${n} rows ${JSON.stringify(finalExtra)} | ${rebuild.value} s | ${rebuild.line} |`);
  console.log(`| ${n} rows, index trained on ${n} | ${await recall(n)} | |`);
  console.log(`TOKIO_WORKER_THREADS=${process.env.TOKIO_WORKER_THREADS ?? '(store default)'} LANCE_CPU_THREADS=${process.env.LANCE_CPU_THREADS ?? ''}`);
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
