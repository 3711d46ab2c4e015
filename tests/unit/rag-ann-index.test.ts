import type { Table } from '@lancedb/lancedb';
import { describe, expect, it } from 'vitest';
import { annIndexName, createAnnIndexer, defaultAnnIndexType, partitionsFor, refineFactorFor, refineRowsFor, subVectorsFor, trainedRowsOf } from '../../core/rag/ann-index';

/** A table that answers only what the indexer asks: its indexes and its size. */
const tableWith = (indices: { columns: string[]; indexType: string }[], rows = 100_000) => ({ listIndices: async () => indices, countRows: async () => rows }) as unknown as Table;

describe('ANN index parameters', () => {
  it('sizes the index from the table', () => {
    expect(subVectorsFor(768)).toBe(96);
    expect(subVectorsFor(100)).toBe(25);
    expect(partitionsFor(100)).toBe(16);
    expect(partitionsFor(100_000)).toBe(316);
    expect(partitionsFor(10_000_000)).toBe(1024);
  });

  it('re-ranks more rows exactly behind coarse quantizers (PQ, RaBitQ) than behind SQ or none', () => {
    expect(defaultAnnIndexType).toBe('ivf_rq');
    expect(refineRowsFor(undefined)).toBe(250);
    for (const type of ['ivf_hnsw_sq', 'IvfHnswSq', 'ivf_flat', 'IVF_FLAT']) expect(refineRowsFor(type)).toBe(50);
    for (const type of ['ivf_pq', 'IvfPq', 'ivf_hnsw_pq', 'IvfHnswPq', 'ivf_rq', 'IvfRq']) expect(refineRowsFor(type)).toBe(250);
  });

  it('re-ranks at least refineRows rows exactly, whatever the limit', () => {
    expect(refineFactorFor(10, 50)).toBe(5);
    expect(refineFactorFor(50, 50)).toBe(1);
    expect(refineFactorFor(60, 50)).toBe(1);
    expect(refineFactorFor(8, 50)).toBe(7);
    expect(refineFactorFor(0, 50)).toBe(50);
    expect(refineFactorFor(20, 100)).toBe(5);
    expect(refineFactorFor(50)).toBe(5);
  });
});

describe('the ANN indexer', () => {
  it('answers query options only once an index exists, for the limit asked', async () => {
    const indexer = createAnnIndexer({ minRows: 1_000_000 });
    expect(indexer.queryOptions(50)).toBeNull();
    await indexer.refresh(tableWith([{ columns: ['vector'], indexType: 'IvfHnswSq' }]), 768, { force: true, build: false });
    expect(indexer.state()).toMatchObject({ state: 'ready', type: 'ivfhnswsq' });
    expect(indexer.queryOptions(50)).toEqual({ nprobes: 20, refineFactor: 1 });
    expect(indexer.queryOptions(10)).toEqual({ nprobes: 20, refineFactor: 5 });
  });

  it('re-ranks 250 rows behind IVF_PQ, and keeps a fixed factor and nprobes when given', async () => {
    const pq = createAnnIndexer({ minRows: 1_000_000 });
    await pq.refresh(tableWith([{ columns: ['vector'], indexType: 'IvfPq' }]), 768, { force: true, build: false });
    expect(pq.queryOptions(50)).toEqual({ nprobes: 20, refineFactor: 5 });
    const indexer = createAnnIndexer({ minRows: 1_000_000, nprobes: 8, refineFactor: 3 });
    await indexer.refresh(tableWith([{ columns: ['vector'], indexType: 'IvfPq' }]), 768, { force: true, build: false });
    expect(indexer.queryOptions(50)).toEqual({ nprobes: 8, refineFactor: 3 });
  });

  it('does not build below minRows, and scans flat meanwhile', async () => {
    const indexer = createAnnIndexer({ minRows: 200_000 });
    await indexer.refresh(tableWith([{ columns: ['text'], indexType: 'FTS' }]), 768, { force: true });
    expect(indexer.state().state).toBe('none');
    expect(indexer.queryOptions(50)).toBeNull();
  });
});

/**
 * A table whose index builds wait for `finish()`: its vector indexes, rows, and the builds and
 * drops the indexer asked for.
 */
function buildingTable(rows: number, names: string[] = []) {
  const indices = names.map((name) => ({ name, indexType: 'IvfRq', columns: ['vector'] }));
  const builds: { name: string; finish: () => void }[] = [];
  const dropped: string[] = [];
  const table = {
    countRows: async () => rows,
    listIndices: async () => indices,
    createIndex: (_column: string, options: { name: string }) =>
      new Promise<void>((resolve) =>
        builds.push({
          name: options.name,
          finish: () => {
            indices.push({ name: options.name, indexType: 'IvfRq', columns: ['vector'] });
            resolve();
          },
        }),
      ),
    dropIndex: async (name: string) => {
      dropped.push(name);
      indices.splice(indices.findIndex((i) => i.name === name), 1);
    },
  } as unknown as Table;
  return { table, builds, dropped, grow: (to: number) => (rows = to) };
}

const settle = async (until: () => boolean) => {
  for (let i = 0; i < 50 && !until(); i++) await new Promise((r) => setTimeout(r, 0));
};

describe('the ANN index: built early, rebuilt as the table grows', () => {
  it('names an index by the rows it was trained on', () => {
    expect(annIndexName(4096)).toBe('vector_ann_r4096');
    expect(trainedRowsOf(annIndexName(123_456))).toBe(123_456);
    expect(trainedRowsOf('vector_idx')).toBeNull();
  });

  it('builds from minRows on under a name that records its rows', async () => {
    const t = buildingTable(5000);
    const indexer = createAnnIndexer({ minRows: 4096 });
    await indexer.refresh(t.table, 768, { force: true });
    await settle(() => t.builds.length > 0);
    expect(indexer.state()).toMatchObject({ state: 'building', rows: 5000 });
    expect(indexer.building()).toBe(true);
    expect(indexer.queryOptions(50)).toBeNull();
    t.builds[0]!.finish();
    await indexer.idle();
    expect(t.builds.map((b) => b.name)).toEqual(['vector_ann_r5000']);
    expect(indexer.state()).toMatchObject({ state: 'ready', rows: 5000 });
    expect(indexer.building()).toBe(false);
  });

  it('rebuilds once the table holds 4x the trained rows, serving the old index meanwhile, then drops it', async () => {
    const t = buildingTable(16_000, [annIndexName(4096)]);
    const indexer = createAnnIndexer({ minRows: 4096 });
    await indexer.refresh(t.table, 768, { force: true });
    // 16,000 < 4 x 4,096: no rebuild yet.
    expect(t.builds.length).toBe(0);
    expect(indexer.state().state).toBe('ready');
    t.grow(16_384);
    await indexer.refresh(t.table, 768, { force: true });
    await settle(() => t.builds.length > 0);
    expect(t.builds.map((b) => b.name)).toEqual(['vector_ann_r16384']);
    // While it builds, searches still use the old index.
    expect(indexer.state()).toMatchObject({ state: 'ready', rebuilding: true });
    expect(indexer.queryOptions(50)).not.toBeNull();
    t.builds[0]!.finish();
    await indexer.idle();
    expect(t.dropped).toEqual(['vector_ann_r4096']);
    expect(indexer.state()).toMatchObject({ state: 'ready', rows: 16_384 });
    expect(indexer.state().rebuilding).toBeFalsy();
  });

  it('while a job writes, waits for a much larger growth; a search-time check may be told not to rebuild', async () => {
    const t = buildingTable(100_000, [annIndexName(4096)]);
    const indexer = createAnnIndexer({ minRows: 4096 });
    await indexer.refresh(t.table, 768, { force: true, writing: true });
    await indexer.refresh(t.table, 768, { force: true, rebuild: false });
    expect(t.builds.length).toBe(0);
    t.grow(32 * 4096);
    await indexer.refresh(t.table, 768, { force: true, writing: true });
    await settle(() => t.builds.length > 0);
    expect(t.builds.length).toBe(1);
  });

  it('drops an old index a rebuild left behind (the process stopped before the drop)', async () => {
    const t = buildingTable(20_000, [annIndexName(4096), annIndexName(16_384)]);
    const indexer = createAnnIndexer({ minRows: 4096 });
    await indexer.refresh(t.table, 768, { force: true });
    expect(t.dropped).toEqual(['vector_ann_r4096']);
    expect(t.builds.length).toBe(0);
  });

  it('keeps the old index serving when a rebuild fails, and does not retry it', async () => {
    const t = buildingTable(20_000, [annIndexName(4096)]);
    (t.table as unknown as { createIndex: () => Promise<void> }).createIndex = async () => {
      throw new Error('no space left');
    };
    const failures: unknown[] = [];
    const indexer = createAnnIndexer({ minRows: 4096 }, { onFailed: (err) => failures.push(err) });
    await indexer.refresh(t.table, 768, { force: true });
    await indexer.idle();
    expect(failures.length).toBe(1);
    expect(indexer.state()).toMatchObject({ state: 'ready', rebuildFailed: true });
    expect(indexer.queryOptions(50)).not.toBeNull();
    await indexer.refresh(t.table, 768, { force: true });
    expect(indexer.building()).toBe(false);
    expect(t.dropped).toEqual([]);
  });
});
