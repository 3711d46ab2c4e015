/**
 * Ingestion end to end over HTTP (issue 18), called by rag-bench.ts (RAG_BENCH_PIPELINE=0 skips):
 * 1. ours: kb.ingest of a generated Markdown corpus (walk, read, chunk, embed batches of 64 with
 *    the fast fake embedder over HTTP, LanceDB add, manifest, FTS upkeep) against a bare pipeline in the
 *    same run: the same embed requests (same texts, batches of 64) and the same LanceDB
 *    adds (512 rows, as the same Arrow record batches), nothing else;
 * 2. the same with an embed latency of 20 ms a request: the time the embed requests alone
 *    need one after another is the floor a serial pipeline could not beat;
 * 3. hybrid kb.search every 100 ms during run 2 against the same searches idle afterwards.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Embed } from '../../core/llm';
import { chunkBatch, type ChunkBatchRow } from '../../core/rag/chunk-batch';
import { loadLance } from '../../core/rag/store';
import { seededRandom } from '../support/seeded-random';
import { benchEmbedder } from './embed-server';
import { benchKnowledgeBase, model, textFor } from './rag-data';
import { percentile } from './stats';

const files = Number(process.env.RAG_BENCH_PIPELINE_FILES ?? 1500);
const rounds = Math.max(1, Number(process.env.RAG_BENCH_PIPELINE_ROUNDS ?? 3));

/** `fastEmbed` runs in this process with RAG_BENCH_EMBED=inproc; by default the fast fake answers over HTTP (embed-server.ts). */
export async function benchPipeline(report: (line: string) => void, fastEmbed: Embed): Promise<void> {
  const embedder = await benchEmbedder(fastEmbed);
  const { embed } = embedder;
  const dir = mkdtempSync(join(tmpdir(), 'bruno-bench-pipe-'));
  const docs = join(dir, 'docs');
  mkdirSync(docs);
  const r = seededRandom(11);
  for (let f = 0; f < files; f++) {
    const sections = Array.from({ length: 6 }, (_, s) => `## Section ${s}\n\n${textFor(r, 120)}\n\n${textFor(r, 120)}`);
    writeFileSync(join(docs, `doc-${f}.md`), `# Document ${f}\n\n${sections.join('\n\n')}\n`);
  }
  const settings = { maxFileBytes: 5_000_000, chunkOverlapChars: 150, embedBatchSize: 64, writeBatchChunks: 512 };
  try {
    // 1. ours, then the bare pipeline over the very texts ours embedded, alternating for a few
    // rounds (the machine's load moves by the second; the median ratio is the figure). Round 0 is
    // a warm-up, not counted: ours ran first in it and paid LanceDB's start-up and the JIT of the
    // code both sides share (its first round was 0.41-0.48x every time, the later ones 0.6-0.8x).
    const oursRates: number[] = [];
    const bareRates: number[] = [];
    let chunksAdded = 0;
    let oursRequests = 0;
    for (let round = 0; round <= rounds; round++) {
      const kb = benchKnowledgeBase(join(dir, `store-${round}`), embed, { settings });
      embedder.resetRequests();
      let t = performance.now();
      const summary = await kb.ingest([docs]);
      const oursS = (performance.now() - t) / 1000;
      oursRequests = embedder.requests();
      chunksAdded = summary.chunksAdded;
      const lancedb = await loadLance();
      const db = await lancedb.connect(join(dir, `store-${round}`));
      const table = await db.openTable((await db.tableNames()).find((n) => n.startsWith('kb_chunks__'))!);
      const rows = (await table.query().select(['id', 'source_id', 'path', 'heading', 'position', 'text', 'text_hash', 'file_hash', 'mtime', 'embedding_version']).toArray()) as Record<string, unknown>[];
      await kb.close();
      const inputs = rows.map((row) => (row.heading ? `${String(row.heading)}\n\n${String(row.text)}` : String(row.text)));
      const bareDb = await lancedb.connect(join(dir, `bare-${round}`));
      let bare: Awaited<ReturnType<typeof bareDb.openTable>> | null = null;
      t = performance.now();
      for (let at = 0; at < inputs.length; at += 512) {
        const part = inputs.slice(at, at + 512);
        const vectors: ArrayLike<number>[] = [];
        for (let b = 0; b < part.length; b += 64) vectors.push(...(await embed({ model, input: part.slice(b, b + 64) })).embeddings);
        // The same Arrow record batches ours writes (chunk-batch.ts), so the baseline is the fastest add.
        const asFloat32 = (v: ArrayLike<number>) => (v instanceof Float32Array ? v : Float32Array.from(v));
        const batch = chunkBatch(rows.slice(at, at + 512).map((row, i) => ({ ...(row as unknown as ChunkBatchRow), vector: asFloat32(vectors[i]!) })), vectors[0]!.length) as never;
        if (!bare) bare = await bareDb.createTable('bare', batch);
        else await bare.add(batch);
      }
      const bareS = (performance.now() - t) / 1000;
      bareDb.close();
      db.close();
      if (round === 0) continue;
      oursRates.push(summary.chunksAdded / oursS);
      bareRates.push(rows.length / bareS);
    }
    const ratios = oursRates.map((o, i) => o / bareRates[i]!);
    const med = (xs: number[]) => percentile(xs, 50);
    const list = (xs: number[], digits = 0) => xs.map((x) => x.toFixed(digits)).join(', ');
    report(`| ingestion (${files} Markdown files, ${embedder.label}, ${rounds} rounds alternating after a warm-up) | ours ${chunksAdded} chunks: median **${med(oursRates).toFixed(0)} chunks/s** (${list(oursRates)}; ${oursRequests} embed requests) | bare embed + LanceDB add: median ${med(bareRates).toFixed(0)} chunks/s (${list(bareRates)}) | **${med(ratios).toFixed(2)}x** of bare (${list(ratios, 2)}) |`);

    // 2 + 3. a 20 ms embed latency; searches during the ingestion, then idle
    await embedder.setLatency(20);
    const kb2 = benchKnowledgeBase(join(dir, 'store2'), embed, { settings });
    await kb2.ingest([join(docs, 'doc-0.md')]);
    embedder.resetRequests();
    let ingesting = true;
    const during: number[] = [];
    const probe = (async () => {
      let i = 0;
      while (ingesting) {
        const s = performance.now();
        await kb2.search(`section ${i++} ${textFor(r, 3)}`, { mode: 'hybrid', k: 10 });
        during.push(performance.now() - s);
        await new Promise((res) => setTimeout(res, 100));
      }
    })();
    const t = performance.now();
    const slow = await kb2.ingest([docs]);
    const slowS = (performance.now() - t) / 1000;
    ingesting = false;
    await probe;
    const floor = (embedder.requests() * 20) / 1000;
    report(`| ingestion, embed latency 20 ms a request of 64 | ${slow.chunksAdded} chunks in ${slowS.toFixed(2)} s (${(slow.chunksAdded / slowS).toFixed(0)} chunks/s) | ${embedder.requests()} requests x 20 ms one after another = ${floor.toFixed(2)} s | embedding overlapped: ${slowS < floor ? 'yes' : 'no'} (${(slowS / floor).toFixed(2)}x the serial floor) |`);
    const idle: number[] = [];
    for (let i = 0; i < Math.max(20, during.length); i++) {
      const s = performance.now();
      await kb2.search(`section ${i} ${textFor(r, 3)}`, { mode: 'hybrid', k: 10 });
      idle.push(performance.now() - s);
    }
    await kb2.close();
    const f = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1)} / p95 **${percentile(xs, 95).toFixed(1)} ms**`;
    report(`| hybrid kb.search (${slow.chunksAdded} chunks, no ANN index) | during the ingestion (${during.length} queries): ${f(during)} | idle afterwards (${idle.length}): ${f(idle)} | |`);
  } finally {
    await embedder.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
