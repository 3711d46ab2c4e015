/**
 * The 100k-chunk measurement (issue 18), called by rag-bench.ts when RAG_BENCH_CHUNKS (or
 * BENCH_CHUNKS) is set:
 *   RAG_BENCH_CHUNKS=100000 RAG_BENCH_INGEST=0 RAG_BENCH_PIPELINE=0 RAG_BENCH_SIZES=0 npm run bench:rag
 * Generates a Markdown corpus of that many chunks (20 one-chunk sections a file), ingests it with
 * `kb.ingest` and the fast fake embedder (over HTTP in a child process; RAG_BENCH_EMBED=inproc for
 * the in-process one, embed-server.ts), in one process as headless mode runs it
 * (background optimizes during the job, the ANN index built once the table holds
 * RAG_BENCH_ANN_MIN_ROWS rows, default the app's knowledge.annIndexMinRows, and rebuilt as it grows), and samples a hybrid `kb.search` every 100 ms
 * from the start of the ingestion until the store is idle (job, optimizes and ANN build ended),
 * then the same searches idle (the baseline of the same run). RAG_BENCH_KEEP=<dir> keeps the
 * store there (for `npm run bench:memory -- --kb-store <dir>`: restart-to-health with it).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rowOf } from '../../core/config/setting-table';
import type { Embed } from '../../core/llm';
import type { Logger } from '../../core/telemetry/logging';
import { seededRandom } from '../support/seeded-random';
import { benchEmbedder } from './embed-server';
import { benchKnowledgeBase, textFor } from './rag-data';
import { percentile } from './stats';

interface Sample {
  at: number;
  ms: number;
  phase: 'ingesting' | 'upkeep';
  annUsed: boolean;
  annState: string;
  embedMs: number;
  vectorMs: number;
  ftsMs: number;
  /** The rows the search said it may have missed (read the indexes only; 0 when it read every row). */
  unindexed: number;
}

export async function benchScale(report: (line: string) => void, fastEmbed: Embed, chunks: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bruno-bench-scale-'));
  const docs = join(dir, 'docs');
  mkdirSync(docs);
  const perFile = 20;
  const files = Math.ceil(chunks / perFile);
  const r = seededRandom(23);
  let t = performance.now();
  for (let f = 0; f < files; f++) {
    const sections = Array.from({ length: perFile }, (_, s) => `## Section ${s} of ${f}\n\n${textFor(r, 150)}`);
    writeFileSync(join(docs, `doc-${String(f).padStart(6, '0')}.md`), `# Document ${f}\n\n${sections.join('\n\n')}\n`);
  }
  console.log(`  (corpus: ${files} files written in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  const embedder = await benchEmbedder(fastEmbed);
  const { embed } = embedder;
  // The app's default (knowledge.annIndexMinRows) unless RAG_BENCH_ANN_MIN_ROWS (20,000 before the fourth pass).
  const minRows = Number(process.env.RAG_BENCH_ANN_MIN_ROWS ?? rowOf('knowledge.annIndexMinRows')!.default);
  const storeUri = join(dir, 'store');
  // The knowledge base's own log lines of its background work, with their times.
  const upkeepEvents: { at: number; msg: string; fields: Record<string, unknown> }[] = [];
  let runStarted = performance.now();
  const logger = {
    debug() {},
    info(msg: string, fields: Record<string, unknown> = {}) {
      if (msg === 'store optimized' || msg === 'ANN index built') upkeepEvents.push({ at: performance.now() - runStarted, msg, fields });
    },
    warn(msg: string, fields: Record<string, unknown> = {}) {
      upkeepEvents.push({ at: performance.now() - runStarted, msg, fields });
    },
    error() {},
    isLevelEnabled: () => false,
    child: () => logger,
  } as unknown as Logger;
  const kb = benchKnowledgeBase(storeUri, embed, { logger, settings: { maxFileBytes: 5_000_000, chunkOverlapChars: 0, embedBatchSize: 64, writeBatchChunks: 512, annIndexMinRows: minRows }, buildAnnIndex: true, report: (err) => console.error('telemetry:', err) });
  try {
    const samples: Sample[] = [];
    let phase: Sample['phase'] = 'ingesting';
    let annState = 'none';
    let sampling = true;
    const started = performance.now();
    runStarted = started;
    const statePoll = (async () => {
      while (sampling) {
        annState = (await kb.stats()).annIndex.state;
        await new Promise((res) => setTimeout(res, 1000));
      }
    })();
    let firstRowsSeen = false;
    const probe = (async () => {
      let i = 0;
      while (sampling) {
        if (firstRowsSeen) {
          const s = performance.now();
          const result = await kb.search(`section ${i % 20} ${textFor(r, 3)}`, { mode: 'hybrid', k: 10 });
          samples.push({ at: s - started, ms: performance.now() - s, phase, annUsed: result.annIndex, annState, embedMs: result.timings.embedMs, vectorMs: result.timings.vectorMs, ftsMs: result.timings.ftsMs, unindexed: result.unindexedRows ?? 0 });
          i++;
        }
        await new Promise((res) => setTimeout(res, 100));
      }
    })();
    t = performance.now();
    const summary = await kb.ingest([docs], {
      onProgress: (p) => {
        if (p.chunksDone > 0) firstRowsSeen = true;
      },
    });
    const ingestS = (performance.now() - t) / 1000;
    phase = 'upkeep';
    await kb.idle();
    const upkeepS = (performance.now() - t) / 1000 - ingestS;
    sampling = false;
    await Promise.all([probe, statePoll]);
    const stats = await kb.stats();
    const idle: number[] = [];
    for (let i = 0; i < 40; i++) {
      const s = performance.now();
      await kb.search(`section ${i % 20} ${textFor(r, 3)}`, { mode: 'hybrid', k: 10 });
      idle.push(performance.now() - s);
    }
    const f = (xs: number[]) => (xs.length ? `p50 ${percentile(xs, 50).toFixed(0)} / p95 **${percentile(xs, 95).toFixed(0)} ms** / max ${Math.max(...xs).toFixed(0)} ms (${xs.length})` : 'none');
    const ms = (pick: (s: Sample) => boolean) => samples.filter(pick).map((s) => s.ms);
    report(`| ${summary.chunksAdded} chunks (${files} files), one process | ingestion ${ingestS.toFixed(1)} s: **${(summary.chunksAdded / ingestS).toFixed(0)} chunks/s** (${embedder.requests()} embed requests, ${embedder.label}) | then optimize + ANN build until idle: ${upkeepS.toFixed(1)} s | ANN index: ${stats.annIndex.state} ${stats.annIndex.type ?? ''} (${stats.annIndex.rows ?? '?'} rows, built in ${stats.annIndex.buildSeconds?.toFixed(1) ?? '?'} s) |`);
    report(`| hybrid kb.search every 100 ms, ${summary.chunksAdded} chunks | during the ingestion: ${f(ms((s) => s.phase === 'ingesting'))} | while an ANN build ran: ${f(ms((s) => s.annState === 'building'))} | after the ingestion until idle: ${f(ms((s) => s.phase === 'upkeep'))} |`);
    report(`| hybrid kb.search, ${summary.chunksAdded} chunks | whole run (ingestion + upkeep): ${f(samples.map((s) => s.ms))}; with the ANN index ${samples.filter((s) => s.annUsed).length}, flat ${samples.filter((s) => !s.annUsed).length} | idle afterwards (baseline): ${f(idle)} | |`);
    const optimizes = upkeepEvents.filter((e) => e.msg === 'store optimized');
    report(`| background work during the run | ${optimizes.length} optimizes, ${optimizes.reduce((n, e) => n + Number(e.fields.seconds ?? 0), 0).toFixed(1)} s in all (${optimizes.map((e) => `${Number(e.fields.seconds).toFixed(1)} s ending at ${(e.at / 1000).toFixed(0)} s`).join(', ')}) | ${upkeepEvents.filter((e) => e.msg === 'ANN index built').map((e) => `ANN build of ${String(e.fields.rows)} rows: ${String(e.fields.seconds)} s, ending at ${(e.at / 1000).toFixed(0)} s`).join('; ') || 'no ANN build'} | ${upkeepEvents.filter((e) => !['store optimized', 'ANN index built'].includes(e.msg)).map((e) => e.msg).join('; ') || 'no warnings'} | |`);
    const during = samples.filter((s) => s.phase === 'ingesting');
    const stage = (pick: (s: Sample) => number, of: Sample[] = during) => `p50 ${percentile(of.map(pick), 50).toFixed(0)} / p95 ${percentile(of.map(pick), 95).toFixed(0)} ms`;
    report(`| search stages during the ingestion (${during.length}) | query embedding ${stage((s) => s.embedMs)} | vector ${stage((s) => s.vectorMs)}, full-text ${stage((s) => s.ftsMs)} (concurrent) | the rest (gate, table handle, fusion, event loop) ${stage((s) => s.ms - s.embedMs - Math.max(s.vectorMs, s.ftsMs))} | |`);
    const after = samples.filter((s) => s.phase === 'upkeep');
    // What reading the indexes only after the job costs: how long the job's last rows were not searched.
    const partial = after.filter((s) => s.unindexed > 0);
    const jobEnd = ingestS * 1000 + (t - started);
    if (after.length) report(`| after the ingestion: searches that read the indexes only | ${partial.length} of ${after.length} | up to ${Math.max(0, ...partial.map((s) => s.unindexed))} rows left out | the last ${partial.length ? ((Math.max(...partial.map((s) => s.at)) - jobEnd) / 1000).toFixed(1) : '0'} s after the job ended (idle ${upkeepS.toFixed(1)} s after) |`);
    if (after.length) report(`| search stages after the ingestion until idle (${after.length}) | query embedding ${stage((s) => s.embedMs, after)} | vector ${stage((s) => s.vectorMs, after)}, full-text ${stage((s) => s.ftsMs, after)} (concurrent) | the rest ${stage((s) => s.ms - s.embedMs - Math.max(s.vectorMs, s.ftsMs), after)} | |`);
    // What ran beside each sample: the optimizes and ANN builds, from their log lines (end, seconds).
    const spans = upkeepEvents
      .filter((e) => e.msg === 'store optimized' || e.msg === 'ANN index built')
      .map((e) => ({ kind: e.msg === 'store optimized' ? 'optimize' : 'build', end: e.at, start: e.at - Number(e.fields.seconds ?? 0) * 1000 }));
    const beside = (s: Sample) => {
      const hit = spans.filter((x) => s.at < x.end && s.at + s.ms > x.start).map((x) => x.kind);
      return hit.includes('build') ? 'build' : hit.includes('optimize') ? 'optimize' : s.annUsed ? 'nothing (ANN)' : 'nothing (flat)';
    };
    const groups = ['nothing (flat)', 'nothing (ANN)', 'optimize', 'build'].map((g) => `${g}: ${f(samples.filter((s) => beside(s) === g).map((s) => s.ms))}`);
    report(`| whole run by what ran beside the search | ${groups.join(' | ')} |`);
    // The slowest samples and when they came, to see which work they waited behind.
    const slow = [...samples].sort((a, b) => b.ms - a.ms).slice(0, 5);
    console.log(`  slowest: ${slow.map((s) => `${s.ms.toFixed(0)} ms at ${(s.at / 1000).toFixed(1)} s (${s.phase}, ANN ${s.annState}${s.annUsed ? ', used' : ''}, ${beside(s)}; vector ${s.vectorMs.toFixed(0)} / full-text ${s.ftsMs.toFixed(0)} ms)`).join('; ')}`);
  } finally {
    await kb.close();
    await embedder.close();
    if (process.env.RAG_BENCH_KEEP) cpSync(storeUri, process.env.RAG_BENCH_KEEP, { recursive: true });
    rmSync(dir, { recursive: true, force: true });
  }
}
