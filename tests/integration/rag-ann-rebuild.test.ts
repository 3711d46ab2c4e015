// The ANN index built early and rebuilt as the table grows (issue 18, "Scale, fourth pass"), on
// real LanceDB: the knowledge base builds it from annIndexMinRows on and retrains it once the
// table holds 4x the rows it was trained on (one index left, under its new name); a search during
// a rebuild is answered from the old index; rows added after a build are found by an indexed-only
// search (what searches read while a job writes) once an optimize folds them in.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KnowledgeBase } from '../../core/rag';
import { annIndexName, buildAnnIndex, vectorIndexes } from '../../core/rag/ann-index';
import { vectorSearch } from '../../core/rag/search';
import { createKbStore, type ChunkRow } from '../../core/rag/store';
import type { Embed } from '../../core/llm';
import { tempDir } from '../support/core-harness';
import { testEmbedModel, testKnowledgeBase } from '../support/test-knowledge-base';
import { seededRandom } from '../support/seeded-random';

const model = testEmbedModel;
const dim = 32;
const unit = (v: number[]) => {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
};
/** A deterministic vector of a text (its character counts, spread over dim). */
const vectorOf = (text: string) => {
  const v = new Array<number>(dim).fill(0.01);
  for (let i = 0; i < text.length; i++) v[(text.charCodeAt(i) * 7 + i) % dim]! += 1;
  return unit(v);
};
const embed: Embed = async ({ input }) => ({ model, embeddings: (Array.isArray(input) ? input : [input]).map(vectorOf) }) as never;

const kbs: KnowledgeBase[] = [];
const stores: { close(): void }[] = [];
afterAll(async () => {
  await Promise.all(kbs.map((k) => k.close()));
  for (const s of stores) s.close();
});

function writeFiles(root: string, from: number, to: number): void {
  const r = seededRandom(from + 1);
  const word = () => `w${Math.floor(r() * 400)}`;
  for (let f = from; f < to; f++) {
    const parts = Array.from({ length: 5 }, (_, p) => `## Part ${p}\n\ntopic${f}x${p} ${Array.from({ length: 40 }, word).join(' ')}`);
    writeFileSync(join(root, `doc-${String(f).padStart(4, '0')}.md`), `# Doc ${f}\n\n${parts.join('\n\n')}\n`);
  }
}

const rowOf = (id: string, vector: number[]): Record<string, unknown> & ChunkRow => ({ id, source_id: 's', path: `/t/${id}.md`, heading: '', position: 0, text: `text of ${id}`, text_hash: id, file_hash: 'h', mtime: 0, embedding_version: `${model}@${dim}`, vector });

async function tableWith(rows: number) {
  const store = createKbStore(join(tempDir('bruno-ann-'), 'store'));
  stores.push(store);
  const table = (await store.openChunksTable(model, dim, true))!;
  const r = seededRandom(rows);
  const vectors = Array.from({ length: rows }, () => unit(Array.from({ length: dim }, () => r() * 2 - 1)));
  await table.add(vectors.map((v, i) => rowOf(`c${i}`, v)));
  return { table, vectors, random: r };
}

describe('the ANN index built early and rebuilt as the table grows', () => {
  it('builds from annIndexMinRows on, and retrains it once the table holds 4x its rows', async () => {
    const root = tempDir('bruno-ann-docs-');
    writeFiles(root, 0, 60);
    const k = testKnowledgeBase(join(tempDir(), 'store'), embed, { settings: { embedBatchSize: 16, writeBatchChunks: 64, annIndexMinRows: 256 }, buildAnnIndex: true });
    kbs.push(k);
    const first = await k.ingest([root]);
    await k.idle();
    const found = (await createKbStoreFor(k).findChunksTable(model))!;
    const built = await vectorIndexes(found.table);
    expect(built.map((i) => i.name)).toEqual([annIndexName(first.chunksAdded)]);
    expect((await k.stats()).annIndex).toMatchObject({ state: 'ready', rows: first.chunksAdded });

    writeFiles(root, 60, 300);
    const second = await k.ingest([root]);
    await k.idle();
    const total = first.chunksAdded + second.chunksAdded;
    expect(total).toBeGreaterThanOrEqual(4 * first.chunksAdded);
    await found.table.checkoutLatest();
    // One index, trained on the grown table; the old one was dropped.
    expect((await vectorIndexes(found.table)).map((i) => i.name)).toEqual([annIndexName(total)]);
    expect((await k.stats()).annIndex).toMatchObject({ state: 'ready', rows: total });
    const result = await k.search('topic250x3', { mode: 'hybrid', k: 5 });
    expect(result.annIndex).toBe(true);
    expect(result.hits[0]?.path).toMatch(/doc-0250\.md$/);
  }, 60_000);

  it('answers searches from the old index while a rebuild runs, and from the new one after', async () => {
    const { table, vectors } = await tableWith(3000);
    await buildAnnIndex(table, 'ivf_rq', 1000, dim, annIndexName(1000));
    const ann = { nprobes: 20, refineFactor: 5 };
    const rebuild = buildAnnIndex(table, 'ivf_rq', 3000, dim, annIndexName(3000)).then(() => table.dropIndex(annIndexName(1000)));
    let done = false;
    void rebuild.finally(() => (done = true));
    const during: string[][] = [];
    for (let i = 0; !done || during.length === 0; i++) {
      const rows = await vectorSearch(table, Float32Array.from(vectors[i % 3000]!), 10, ann, true);
      during.push(rows.map((r) => r.id));
    }
    await rebuild;
    expect(during.every((ids) => ids.length === 10)).toBe(true);
    expect((await vectorIndexes(table)).map((i) => i.name)).toEqual([annIndexName(3000)]);
    const after = await vectorSearch(table, Float32Array.from(vectors[42]!), 10, ann, true);
    expect(after[0]?.id).toBe('c42');
  }, 60_000);

  it('an indexed-only search finds rows added after the build once an optimize folds them in', async () => {
    const { table, random } = await tableWith(1000);
    await buildAnnIndex(table, 'ivf_rq', 1000, dim, annIndexName(1000));
    const fresh = Array.from({ length: 20 }, () => unit(Array.from({ length: dim }, () => random() * 2 - 1)));
    await table.add(fresh.map((v, i) => rowOf(`new${i}`, v)));
    const ann = { nprobes: 20, refineFactor: 5 };
    const top = async (indexedOnly: boolean) => (await vectorSearch(table, Float32Array.from(fresh[7]!), 5, ann, indexedOnly))[0]?.id;
    // Not in the index yet: an indexed-only search does not see it, a full one (flat tail) does.
    expect(await top(true)).not.toBe('new7');
    expect(await top(false)).toBe('new7');
    await table.optimize();
    expect(await top(true)).toBe('new7');
  }, 60_000);
});

/** The chunk table of a knowledge base, opened through a store of its own. */
function createKbStoreFor(k: KnowledgeBase) {
  const store = createKbStore(k.storeUri);
  stores.push(store);
  return store;
}
