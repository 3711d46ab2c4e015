// The optimize after an ingestion job (issue 18): when the job ends while an optimize it started
// still runs, another one follows (the job's last rows were left unindexed otherwise), and
// `settled()` (what kb.idle() and deletes wait for) waits for it.
import type { Table } from '@lancedb/lancedb';
import { describe, expect, it } from 'vitest';
import type { AnnIndexer } from '../../core/rag/ann-index';
import type { KbContext } from '../../core/rag/kb-types';
import { createKbUpkeep, upkeepEveryRows } from '../../core/rag/kb-upkeep';
import { noopLogger } from '../support/noop-logger';


function fakeTable() {
  const optimizes: { release: () => void }[] = [];
  const table = {
    countRows: async () => 20_000,
    listIndices: async () => [
      { name: 'text_idx', indexType: 'FTS', columns: ['text'] },
      { name: 'heading_idx', indexType: 'FTS', columns: ['heading'] },
    ],
    optimize: () => new Promise<void>((resolve) => optimizes.push({ release: resolve })),
  };
  return { table: table as unknown as Table, optimizes };
}

function upkeepWith(table: Table, refreshes: { writing?: boolean; rebuild?: boolean }[] = [], whenQuiet: () => Promise<void> = async () => {}) {
  const ann = {
    state: () => ({ state: 'ready' }),
    refresh: async (_t: Table, _d: number, options: { writing?: boolean; rebuild?: boolean } = {}) => void refreshes.push(options),
    building: () => false,
    idle: async () => {},
    queryOptions: () => null,
    reset() {},
  } as unknown as AnnIndexer;
  const ctx = {
    store: { findChunksTable: async () => ({ table, name: 'kb_chunks__m__16', dim: 16 }) },
    model: 'm',
    ann,
    log: noopLogger,
    measure: () => {},
    priority: { whenQuiet, ingesting: false },
  } as unknown as KbContext;
  return createKbUpkeep(ctx);
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('kb upkeep', () => {
  it('optimizes again after a job that ended while its optimize ran; settled() waits for both', async () => {
    const { table, optimizes } = fakeTable();
    const upkeep = upkeepWith(table);
    upkeep.duringIngest(table, upkeepEveryRows);
    await tick();
    expect(optimizes.length).toBe(1);

    await upkeep.afterIngest(table);
    let settled = false;
    void upkeep.settled().then(() => (settled = true));
    await tick();
    // The first still runs: no second one beside it.
    expect(optimizes.length).toBe(1);

    optimizes[0]!.release();
    for (let i = 0; i < 10 && optimizes.length < 2; i++) await tick();
    expect(optimizes.length).toBe(2);
    expect(settled).toBe(false);
    optimizes[1]!.release();
    for (let i = 0; i < 10 && !settled; i++) await tick();
    expect(settled).toBe(true);
  });

  it('a job defers its optimizes to searches; the optimize after the job does not wait for them', async () => {
    // A steady stream of searches: never quiet.
    const neverQuiet = () => new Promise<void>(() => {});
    const during = fakeTable();
    upkeepWith(during.table, [], neverQuiet).duringIngest(during.table, upkeepEveryRows);
    for (let i = 0; i < 10; i++) await tick();
    expect(during.optimizes.length).toBe(0);

    const after = fakeTable();
    const upkeep = upkeepWith(after.table, [], neverQuiet);
    await upkeep.afterIngest(after.table);
    for (let i = 0; i < 10 && after.optimizes.length < 1; i++) await tick();
    expect(after.optimizes.length).toBe(1);
    after.optimizes[0]!.release();
    await upkeep.settled();
  });

  it('checks for a rebuild only once the optimize after the job ended, with no job writing', async () => {
    const { table, optimizes } = fakeTable();
    const refreshes: { writing?: boolean; rebuild?: boolean }[] = [];
    const upkeep = upkeepWith(table, refreshes);
    upkeep.duringIngest(table, upkeepEveryRows);
    for (let i = 0; i < 10 && refreshes.length < 1; i++) await tick();
    // During the job: the larger growth (a rebuild there takes CPU from the job).
    expect(refreshes).toEqual([expect.objectContaining({ writing: true })]);
    optimizes[0]!.release();
    await upkeep.afterIngest(table);
    expect(upkeep.catchingUp()).toBe(true);
    for (let i = 0; i < 10 && optimizes.length < 2; i++) await tick();
    expect(refreshes.length).toBe(1);
    optimizes[1]!.release();
    await upkeep.settled();
    expect(refreshes.length).toBe(2);
    expect(refreshes[1]!.writing).toBeFalsy();
    expect(upkeep.catchingUp()).toBe(false);
  });

  it('counts the rows no optimize has folded in: written rows, until the optimize that started after them ends', async () => {
    const { table, optimizes } = fakeTable();
    const upkeep = upkeepWith(table);
    upkeep.duringIngest(table, 100);
    expect(upkeep.unindexedRows()).toBe(100);
    upkeep.duringIngest(table, upkeepEveryRows);
    for (let i = 0; i < 10 && optimizes.length < 1; i++) await tick();
    // The running optimize folds these; rows written meanwhile wait for the next one.
    upkeep.duringIngest(table, 50);
    expect(upkeep.unindexedRows()).toBe(100 + upkeepEveryRows + 50);
    optimizes[0]!.release();
    await upkeep.settled();
    expect(upkeep.unindexedRows()).toBe(50);
  });

  it('searches read the indexes only while a job writes, and after it while a large tail waits for the optimize after it', async () => {
    const { table, optimizes } = fakeTable();
    const upkeep = upkeepWith(table);
    expect(upkeep.readsIndexedOnly(false)).toBe(false);
    upkeep.duringIngest(table, upkeepEveryRows - 1);
    expect(upkeep.readsIndexedOnly(true)).toBe(true);
    // A job's end with a tail under one upkeep step: scanned flat, its chunks found at once.
    await upkeep.afterIngest(table);
    expect(upkeep.catchingUp()).toBe(true);
    expect(upkeep.readsIndexedOnly(false)).toBe(false);
    for (let i = 0; i < 10 && optimizes.length < 1; i++) await tick();
    optimizes[0]!.release();
    await upkeep.settled();
    // A job ending with a large tail (written while its last optimize ran): indexed rows only
    // until the optimize after the job folded it in.
    upkeep.duringIngest(table, 2 * upkeepEveryRows);
    for (let i = 0; i < 10 && optimizes.length < 2; i++) await tick();
    upkeep.duringIngest(table, upkeepEveryRows);
    await upkeep.afterIngest(table);
    expect(upkeep.readsIndexedOnly(false)).toBe(true);
    optimizes[1]!.release();
    for (let i = 0; i < 10 && optimizes.length < 3; i++) await tick();
    // The optimize after the job folds the tail now: still indexed only.
    expect(upkeep.unindexedRows()).toBe(upkeepEveryRows);
    expect(upkeep.readsIndexedOnly(false)).toBe(true);
    optimizes[2]!.release();
    await upkeep.settled();
    expect(upkeep.unindexedRows()).toBe(0);
    expect(upkeep.readsIndexedOnly(false)).toBe(false);
  });

  it('an index check that fails after the optimize of a job (the store closing) is logged, not an unhandled rejection', async () => {
    const { table, optimizes } = fakeTable();
    let calls = 0;
    // The check after the optimize finds the table closed.
    const refreshes = Object.assign([] as { writing?: boolean }[], {
      push: () => {
        calls++;
        throw new Error('Table kb_chunks__m__16 is closed');
      },
    });
    const upkeep = upkeepWith(table, refreshes);
    await upkeep.afterIngest(table);
    for (let i = 0; i < 10 && optimizes.length < 1; i++) await tick();
    optimizes[0]!.release();
    await upkeep.settled();
    expect(calls).toBe(1);
    expect(upkeep.catchingUp()).toBe(false);
  });

  it('starts no optimize after stop()', async () => {
    const { table, optimizes } = fakeTable();
    const upkeep = upkeepWith(table);
    upkeep.stop();
    await upkeep.afterIngest(table);
    await upkeep.settled();
    expect(optimizes.length).toBe(0);
  });
});
