import type { Table } from '@lancedb/lancedb';
import { describe, expect, it } from 'vitest';
import { createAnnIndexer, defaultAnnIndexType, partitionsFor, refineFactorFor, refineRowsFor, subVectorsFor } from '../../core/rag/ann-index';

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
