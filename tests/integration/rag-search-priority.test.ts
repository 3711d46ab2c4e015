// Searches go before ingestion (issue 18): a search during a long ingestion is answered while the
// ingestion still runs, no ingestion embed request starts while the search runs, and the
// ingestion still completes with every file and chunk stored.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KnowledgeBase } from '../../core/rag';
import { createKbStore } from '../../core/rag/store';
import type { Embed } from '../../core/llm';
import { tempDir } from '../support/core-harness';
import { testEmbedModel, testKnowledgeBase } from '../support/test-knowledge-base';

const model = testEmbedModel;
const dim = 16;
const vectorOf = (text: string) => {
  const v = new Array<number>(dim).fill(0);
  for (let i = 0; i < text.length; i++) v[text.charCodeAt(i) % dim]! += 1;
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
};
const query = 'where is word7 kept';

const kbs: KnowledgeBase[] = [];
afterAll(async () => {
  await Promise.all(kbs.map((k) => k.close()));
});

describe('search priority during ingestion', () => {
  it('answers a search before a long ingestion ends; the ingestion loses nothing', async () => {
    const root = tempDir('bruno-prio-');
    // At least file-reader.ts workerReadMinFiles: the job reads its files in a worker thread.
    const files = 80;
    for (let f = 0; f < files; f++) writeFileSync(join(root, `doc-${String(f).padStart(3, '0')}.md`), `# Doc ${f}\n\n${`word${f} `.repeat(60)}\n\n## Part\n\n${`other${f} `.repeat(60)}\n`);
    // Ingestion requests take 15 ms; the query's embedding takes 150 ms, a window in which an
    // ungated ingestion would send several requests.
    const events: { at: number; kind: 'ingest-start' | 'query-start' | 'query-embedded' | 'query-end' }[] = [];
    const embed: Embed = async ({ input }) => {
      const texts = Array.isArray(input) ? input : [input];
      const isQuery = texts.length === 1 && texts[0] === query;
      events.push({ at: performance.now(), kind: isQuery ? 'query-start' : 'ingest-start' });
      await new Promise((r) => setTimeout(r, isQuery ? 150 : 15));
      if (isQuery) events.push({ at: performance.now(), kind: 'query-embedded' });
      return { model, embeddings: texts.map(vectorOf) } as never;
    };
    const k = testKnowledgeBase(join(tempDir(), 'store'), embed);
    kbs.push(k);

    let ingestionDone = false;
    let searchStarted: () => void;
    const firstBatchWritten = new Promise<void>((r) => (searchStarted = r));
    const ingestion = k
      .ingest([root], {
        onProgress: (p) => {
          if (p.chunksDone > 0) searchStarted();
        },
      })
      .finally(() => (ingestionDone = true));
    await firstBatchWritten;
    const result = await k.search(query, { mode: 'hybrid', k: 5 });
    const searchEnded = performance.now();
    events.push({ at: searchEnded, kind: 'query-end' });
    // Answered while the ingestion still runs.
    expect(ingestionDone).toBe(false);
    expect(result.hits.length).toBeGreaterThan(0);
    // It read what the indexes hold, and says how many of the job's rows it may have missed.
    expect(result.unindexedRows).toBeGreaterThan(0);

    const summary = await ingestion;
    const queryStart = events.find((e) => e.kind === 'query-start')!.at;
    const queryEmbedded = events.find((e) => e.kind === 'query-embedded')!.at;
    // While the search ran (its 150 ms query embedding, then its LanceDB queries), no ingestion
    // request was sent (the ones it woke when it ended may start before this test's await returns).
    const sentMeanwhile = events.filter((e) => e.kind === 'ingest-start' && e.at > queryStart && e.at <= queryEmbedded);
    expect(sentMeanwhile).toEqual([]);
    // And the ingestion went on afterwards and completed: every file, every chunk, stored once.
    expect(events.some((e) => e.kind === 'ingest-start' && e.at > searchEnded)).toBe(true);
    expect(summary.filesIngested).toBe(files);
    const stats = await k.stats();
    expect(stats.documents).toBe(files);
    expect(stats.chunks).toBe(summary.chunksAdded);
    const store = createKbStore(k.storeUri);
    const table = (await store.findChunksTable(model))!.table;
    expect(await table.countRows()).toBe(summary.chunksAdded);
    store.close();
    const last = await k.search(`word${files - 1}`, { mode: 'fts', k: 3 });
    expect(last.hits[0]?.path).toBe(join(root, `doc-${String(files - 1).padStart(3, '0')}.md`));
    // Once idle (the optimize after the job ran), nothing is left out.
    await k.idle();
    expect((await k.search(query, { mode: 'hybrid', k: 5 })).unindexedRows).toBeUndefined();
  }, 60_000);
});
