// The ingestion pipeline (issue 18): embedding overlaps writing with a slow embedder, a failure in
// the middle ends the job cleanly (no stray write, no unhandled rejection), rows a crashed run left
// behind are still replaced (never duplicated) now that new files skip the per-batch delete.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KnowledgeBase } from '../../core/rag';
import type { EmbedRequestTimes } from '../../core/rag/embedder';
import { fullBatchEstimate, fullBatchProbeGap, interactiveRequestMs, jobBatchSize, latencyBound } from '../../core/rag/knowledge-base';
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

/** A slow embedder that records how many requests overlap; `failAt` fails that request (1-based). */
function slowEmbed(ms: number, failAt?: number) {
  const seen = { calls: 0, running: 0, maxRunning: 0 };
  const embed: Embed = async ({ input }) => {
    const n = ++seen.calls;
    seen.running++;
    seen.maxRunning = Math.max(seen.maxRunning, seen.running);
    await new Promise((r) => setTimeout(r, ms));
    seen.running--;
    if (n === failAt) throw new Error('embed failed on purpose');
    const texts = Array.isArray(input) ? input : [input];
    return { model, embeddings: texts.map(vectorOf) } as never;
  };
  return { embed, seen };
}

const kbs: KnowledgeBase[] = [];
afterAll(async () => {
  await Promise.all(kbs.map((k) => k.close()));
});
function kb(storeUri: string, embed: Embed, embedBatchSize = 4): KnowledgeBase {
  const k = testKnowledgeBase(storeUri, embed, { settings: { embedBatchSize } });
  kbs.push(k);
  return k;
}

function corpus(files: number): string {
  const root = tempDir('bruno-pipe-');
  for (let f = 0; f < files; f++) writeFileSync(join(root, `doc-${String(f).padStart(3, '0')}.md`), `# Doc ${f}\n\n${`word${f} `.repeat(60)}\n\n## Part\n\n${`other${f} `.repeat(60)}\n`);
  return root;
}

/**
 * Ingests `root` (its doc-000.md first, so the table exists) under a stream of hybrid searches
 * ("query ..." texts); `beforeJob` runs once the searches are under way, just before the job.
 */
async function ingestWhileSearching(k: KnowledgeBase, root: string, beforeJob: () => void) {
  await k.ingest([join(root, 'doc-000.md')]);
  let searching = true;
  const stream = (async () => {
    for (let i = 0; searching; i++) await k.search(`query word${i}`, { mode: 'hybrid', k: 3 });
  })();
  await k.search('query warm');
  beforeJob();
  try {
    return await k.ingest([root]);
  } finally {
    searching = false;
    await stream;
  }
}

const times = (fullBatchMs: number | null, cutMs: number | null = null, cutTexts: number | null = null, cutSamples = 8, sinceFullMs: number | null = 0): EmbedRequestTimes => ({ fullBatchMs, sinceFullMs, cutMs, cutTexts, cutSamples });

describe('the job batch size while someone searches', () => {
  it('is full when nobody searches, before a full batch was timed, or when a full batch is already quick; else cut to the time', () => {
    expect(jobBatchSize(64, false, times(1000))).toBe(64);
    expect(jobBatchSize(64, true, times(null, null, null, 0, null))).toBe(64);
    expect(jobBatchSize(64, true, times(interactiveRequestMs))).toBe(64);
    expect(jobBatchSize(64, true, times(interactiveRequestMs * 4))).toBe(16);
    expect(jobBatchSize(64, true, times(1e9))).toBe(1);
  });

  it('follows the cut requests when they show a full batch quicker than the full batches did (a model load in the first one)', () => {
    // The first full batch took 5 s (the model loading); a cut request of 1 text took 2 ms.
    expect(fullBatchEstimate(64, times(5000, 2, 1))).toBe(128);
    expect(jobBatchSize(64, true, times(5000, 2, 1))).toBe(Math.floor((64 * interactiveRequestMs) / 128));
    // A fixed cost a request makes short requests dearer a text: the full batches' time holds.
    expect(fullBatchEstimate(64, times(72, 16, 8))).toBe(72);
    expect(jobBatchSize(64, true, times(72, 16, 8))).toBe(Math.floor((64 * interactiveRequestMs) / 72));
    expect(fullBatchEstimate(64, times(null, 5, 4))).toBe(80);
  });

  it('sends a full batch again after fullBatchProbeGap full batches\' time without one when cut requests cost like full ones (a server whose time goes by request)', () => {
    const gap = fullBatchProbeGap * 40;
    // Full batches measured at 40 ms while something else ran; cuts of 16 texts take 20 ms (as a full one would).
    const cut = Math.floor((64 * interactiveRequestMs) / 40);
    expect(jobBatchSize(64, true, times(40, 20, 16, 8, gap - 1))).toBe(cut);
    expect(jobBatchSize(64, true, times(40, 20, 16, 8, gap))).toBe(64);
    expect(jobBatchSize(64, true, times(40, 20, 16, 8, null))).toBe(cut);
    // Cuts that cost their share of a full batch (a server computing): no probe, however long.
    expect(jobBatchSize(64, true, times(40, 11, 16, 8, 100 * gap))).toBe(cut);
  });
});

describe('a model server whose time goes by request', () => {
  it('is told by cut requests as slow as full ones (then the job keeps full batches), not by a server whose time goes with the texts', () => {
    expect(latencyBound(64, times(24, 21, 24))).toBe(true);
    expect(latencyBound(64, times(24, 21, 24, 2))).toBe(false);
    // Full batches timed with four in flight at 38.7 ms, cut ones alone at 22 ms: a 20 ms server.
    expect(latencyBound(64, times(38.7, 22, 8))).toBe(true);
    expect(latencyBound(64, times(38.7, 18, 8))).toBe(false);
    expect(latencyBound(64, times(560, 11, 3))).toBe(false);
    expect(latencyBound(64, times(null, null, null, 0))).toBe(false);
    expect(jobBatchSize(64, true, times(40), true)).toBe(64);
  });
});

describe('ingestion pipeline', () => {
  it('a chat retrieval holds the job: no embed request goes out from its start until its first token settles, and the job ends after all', async () => {
    const root = corpus(24);
    const sent: string[] = [];
    const embed: Embed = async (request) => {
      const texts = Array.isArray(request.input) ? request.input : [request.input];
      sent.push(texts[0]!.startsWith('query ') ? 'query' : 'job');
      await new Promise((r) => setTimeout(r, 2 * texts.length));
      return { model, embeddings: texts.map(vectorOf) } as never;
    };
    const k = kb(join(tempDir(), 'store'), embed, 4);
    await k.ingest([join(root, 'doc-000.md')]);
    const job = k.ingest([root]);
    while (!sent.includes('job')) await new Promise((r) => setTimeout(r, 1));
    let firstToken!: () => void;
    const until = new Promise<void>((r) => (firstToken = r));
    const sentBefore = sent.length;
    await k.retrieve('query word3', { until });
    const afterRetrieval = sent.length;
    // A while with the turn still before its first token: the job sent nothing new.
    await new Promise((r) => setTimeout(r, 150));
    const held = sent.slice(afterRetrieval);
    firstToken();
    const summary = await job;
    expect(sent.slice(sentBefore, afterRetrieval)).toEqual(['query']);
    expect(held).toEqual([]);
    expect(summary.filesIngested).toBe(23);
  });

  it('a hold whose turn never gets a first token ends after its bound: the job completes', async () => {
    const root = corpus(12);
    const k = kb(join(tempDir(), 'store'), slowEmbed(2).embed, 4);
    await k.ingest([join(root, 'doc-000.md')]);
    const job = k.ingest([root]);
    await k.retrieve('query word1', { until: new Promise(() => {}) });
    expect((await job).filesIngested).toBe(11);
  });

  it('while someone searches, a job whose time goes with its texts keeps one embed request in flight across its batches', async () => {
    const root = corpus(24);
    const seen = { running: 0, maxRunning: 0 };
    const embed: Embed = async (request) => {
      const texts = Array.isArray(request.input) ? request.input : [request.input];
      const job = !texts[0]!.startsWith('query ');
      if (job) seen.maxRunning = Math.max(seen.maxRunning, ++seen.running);
      await new Promise((r) => setTimeout(r, 3 * texts.length));
      if (job) seen.running--;
      return { model, embeddings: texts.map(vectorOf) } as never;
    };
    const summary = await ingestWhileSearching(kb(join(tempDir(), 'store'), embed, 8), root, () => (seen.maxRunning = 0));
    expect(summary.filesIngested).toBe(23);
    expect(seen.maxRunning).toBe(1);
  });

  it('while someone searches, a job whose first full batches ran slow (a model loading) sizes its requests from the cut ones, not one text a request', async () => {
    const root = corpus(100);
    const jobSizes: number[] = [];
    let slowFull = 1;
    const embed: Embed = async (request) => {
      const texts = Array.isArray(request.input) ? request.input : [request.input];
      const job = !texts[0]!.startsWith('query ');
      if (job) jobSizes.push(texts.length);
      // 1 ms a request and 1 every 4 texts; the job's first full batch takes 400 ms.
      const loading = job && texts.length === 32 && slowFull-- > 0;
      await new Promise((r) => setTimeout(r, loading ? 400 : 1 + Math.ceil(texts.length / 4)));
      return { model, embeddings: texts.map(vectorOf) } as never;
    };
    const k = testKnowledgeBase(join(tempDir(), 'store'), embed, { settings: { embedBatchSize: 32, writeBatchChunks: 64 } });
    kbs.push(k);
    const summary = await ingestWhileSearching(k, root, () => (jobSizes.length = 0));
    expect(summary.filesIngested).toBe(99);
    expect(slowFull).toBeLessThanOrEqual(0);
    // A full batch measured at 400 ms alone would cut every request to 32 * 5 / 400 = 0 -> 1 text.
    const cut = jobSizes.slice(1).filter((n) => n < 32);
    const afterSettling = cut.slice(10);
    expect(afterSettling.length).toBeGreaterThan(5);
    // ~16 texts make 5 ms here; a loaded machine's late timers make requests dearer and cuts smaller.
    expect(Math.max(...afterSettling)).toBeGreaterThanOrEqual(3);
    expect(afterSettling.reduce((a, b) => a + b, 0) / afterSettling.length).toBeGreaterThan(1.5);
  });

  it('with a slow embedder, requests overlap each other and the writes; every file ends up stored once', async () => {
    const root = corpus(24);
    const { embed, seen } = slowEmbed(25);
    const k = kb(join(tempDir(), 'store'), embed);
    const summary = await k.ingest([root]);
    expect(summary.filesIngested).toBe(24);
    expect(seen.maxRunning).toBeGreaterThanOrEqual(2);
    const stats = await k.stats();
    expect(stats.documents).toBe(24);
    expect(stats.chunks).toBe(summary.chunksAdded);
    const hit = await k.search('word7', { mode: 'fts', k: 3 });
    expect(hit.hits[0]?.path).toBe(join(root, 'doc-007.md'));
  });

  it('while someone searches, a job whose full batches are slow embeds in shorter requests; otherwise in full batches', async () => {
    const root = corpus(24);
    const sizes: number[] = [];
    // 10 ms a text: a full batch of 8 takes 80 ms or more, over interactiveRequestMs, and a timer's
    // lateness on a loaded machine does not make a one-text request look like a fixed cost.
    const embed: Embed = async (request) => {
      const texts = Array.isArray(request.input) ? request.input : [request.input];
      if (!texts[0]!.startsWith('query ')) {
        sizes.push(texts.length);
        await new Promise((r) => setTimeout(r, 10 * texts.length));
      }
      return { model, embeddings: texts.map(vectorOf) } as never;
    };
    const quiet = kb(join(tempDir(), 'store'), embed, 8);
    await quiet.ingest([root]);
    expect(Math.max(...sizes)).toBe(8);
    expect(sizes.filter((n) => n < 8).length).toBeLessThan(sizes.length / 2);

    const busy = kb(join(tempDir(), 'store'), embed, 8);
    await busy.ingest([join(root, 'doc-000.md')]);
    let searching = true;
    let searches = 0;
    const stream = (async () => {
      while (searching) await busy.search(`query word${searches++}`, { mode: 'hybrid', k: 3 });
    })();
    await busy.search('query warm');
    sizes.length = 0;
    const summary = await busy.ingest([root]);
    searching = false;
    await stream;
    expect(summary.filesIngested).toBe(23);
    // The first requests (before a full one was timed) may be full; then each is cut to about
    // interactiveRequestMs at the measured rate.
    expect(sizes.slice(2).length).toBeGreaterThan(5);
    expect(Math.max(...sizes.slice(2))).toBeLessThanOrEqual(Math.ceil((8 * interactiveRequestMs) / 80));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(summary.embeddedTexts);
  });

  it('a failure mid-way rejects the job after its writes settled; a second run completes the store', async () => {
    const root = corpus(30);
    const storeUri = join(tempDir(), 'store');
    const failing = slowEmbed(5, 6);
    const first = kb(storeUri, failing.embed);
    await expect(first.ingest([root])).rejects.toThrow(/embed failed on purpose/);
    const partial = await first.stats();
    expect(partial.documents).toBeLessThan(30);
    const again = await first.ingest([root]);
    expect(again.filesIngested + again.filesUnchanged).toBe(30);
    const stats = await first.stats();
    expect(stats.documents).toBe(30);
    const store = createKbStore(storeUri);
    const table = (await store.findChunksTable(model))!.table;
    expect(await table.countRows()).toBe(stats.chunks);
    store.close();
  });

  it('rows a crashed run left without a manifest entry are replaced, not duplicated', async () => {
    const root = corpus(3);
    const storeUri = join(tempDir(), 'store');
    const { embed } = slowEmbed(1);
    const k = kb(storeUri, embed);
    await k.ingest([join(root, 'doc-000.md')]);
    // What a kill between "add" and "manifest upsert" leaves: chunks of a file the manifest lacks.
    const store = createKbStore(storeUri);
    const table = (await store.findChunksTable(model))!.table;
    const orphan = join(root, 'doc-001.md');
    const template = ((await table.query().limit(1).toArray()) as Record<string, unknown>[])[0]!;
    await table.add([{ ...template, id: 'orphan-1', path: orphan, vector: Array.from(vectorOf('x')) }]);
    await k.close();
    // The next process (a fresh handle) ingests the folder.
    const next = kb(storeUri, embed);
    await next.ingest([root]);
    await table.checkoutLatest();
    const rows = (await table.query().where(`path = '${orphan}'`).select(['id']).toArray()) as { id: string }[];
    expect(rows.map((r) => r.id)).not.toContain('orphan-1');
    expect(await table.countRows()).toBe((await next.stats()).chunks);
    store.close();
  });
});
