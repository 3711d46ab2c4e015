/**
 * The ANN vector index, built in the background once a chunk table is large enough. Nothing waits
 * for it: queries and ingestion keep using the table (a flat scan) until the build commits, and
 * rows added afterwards are scanned flat next to the index until an optimize folds them in.
 *
 * It is built early (a few thousand rows build in about half a second), so that during a long job
 * the vector side always has an index to read (kb-search.ts: the indexed rows only while a job
 * writes), and rebuilt (retrained) as the table grows: optimizes fold new rows into the partitions
 * trained on the early sample, which at 100k rows from 4k still had recall@10 95-98% here, but the
 * partitions grow with the table. A rebuild is a new index under a new name (the rows it was
 * trained on are in the name, so a restart knows them); searches keep reading the old one until
 * the new one commits, and the old one is dropped then (docs/benchmarks.md, "Scale, fourth pass").
 */
import type { Table } from '@lancedb/lancedb';
import type { KbStats } from '../common/knowledge';
import type { AnnQueryOptions } from './search';
import { loadLance } from './store';

export type AnnIndexType = 'ivf_pq' | 'ivf_flat' | 'ivf_hnsw_sq' | 'ivf_hnsw_pq' | 'ivf_rq';

export interface AnnIndexOptions {
  /** Build from this many rows on (flat scan below: fast enough, and exact). */
  minRows: number;
  /** Rebuild once the table holds this many times the rows the index was trained on, while no job writes (default 4). */
  rebuildGrowth?: number;
  /**
   * The same while a job writes (default 32): a build then takes CPU from the job, and the early
   * index still serves (at 25x its training rows: recall@10 95-98%); a very long job still gets one.
   */
  rebuildGrowthWriting?: number;
  type?: AnnIndexType;
  /** Query-time: partitions probed. */
  nprobes?: number;
  /** Query-time: a fixed re-rank factor (default: `refineRowsFor` the index type, over the limit). */
  refineFactor?: number;
}

export type AnnState = KbStats['annIndex'];

/**
 * The index the knowledge base builds: IVF_RQ (RaBitQ, one bit a dimension, exact re-rank of 250
 * rows). At 100k chunks of 768-d here (docs/benchmarks.md, "Knowledge base") it built fastest
 * (9-18 s; IVF_HNSW_SQ 25-31 s, IVF_PQ 198-486 s, and queries are slow while a build holds
 * Lance's CPU pool), had the lowest hybrid p95 side by side (31 ms; IVF_PQ 33, IVF_HNSW_SQ 37,
 * whose median is best but whose tail is long) and the smallest index, for recall@10 98-100%
 * (IVF_HNSW_SQ 100%, IVF_PQ 96-98%).
 */
export const defaultAnnIndexType: AnnIndexType = 'ivf_rq';

/** Query-time default once an index is ready: partitions probed (of about sqrt(rows)). */
export const annQueryDefaults = { nprobes: 20 } as const;

/**
 * Rows re-ranked with their exact vectors, by index type (LanceDB names, any case or spelling:
 * `ivf_pq`, `IvfPq`). 8-bit scalar quantization (and exact IVF_FLAT) ranks well enough that the
 * best 50 hold the true top 10; product quantization (96 one-byte codes for 768 dimensions) and
 * RaBitQ (one bit a dimension) rank coarsely, and need 250.
 */
export function refineRowsFor(type: string | undefined): number {
  const key = (type ?? defaultAnnIndexType).toLowerCase().replace(/[^a-z]/g, '');
  return key.endsWith('pq') || key.endsWith('rq') ? 250 : 50;
}

/**
 * The re-rank factor that re-ranks at least `refineRows` rows for a query of `limit` rows
 * (LanceDB re-ranks refineFactor x limit). The search asks for a candidate pool (50 rows at k=10):
 * a fixed factor 5 there read 250 full vectors a query, 2-3x the vector search's time at 100k.
 */
export function refineFactorFor(limit: number, refineRows: number = refineRowsFor(undefined)): number {
  return Math.max(1, Math.ceil(refineRows / Math.max(1, limit)));
}

/** numSubVectors must divide the dimension; dim/8 (8 dims per code, 96 for 768) when it does. */
export function subVectorsFor(dim: number): number {
  for (const per of [8, 16, 4, 12, 6, 2, 1]) if (dim % per === 0) return dim / per;
  return 1;
}

export function partitionsFor(rows: number): number {
  return Math.max(16, Math.min(1024, Math.round(Math.sqrt(rows))));
}

export const annRebuildDefaults = { growth: 4, growthWriting: 32 } as const;

/** The index's name: the rows it was trained on, so that a later process knows when to rebuild. */
export function annIndexName(rows: number): string {
  return `vector_ann_r${rows}`;
}

/** The rows an index was trained on, from its name (null for a name this code did not give). */
export function trainedRowsOf(name: string): number | null {
  const m = /^vector_ann_r(\d+)$/.exec(name);
  return m ? Number(m[1]) : null;
}

export async function buildAnnIndex(table: Table, type: AnnIndexType, rows: number, dim: number, name?: string): Promise<number> {
  const { Index } = await loadLance();
  const numPartitions = partitionsFor(rows);
  const common = { numPartitions, distanceType: 'cosine' as const };
  const config =
    type === 'ivf_flat'
      ? Index.ivfFlat(common)
      : type === 'ivf_hnsw_sq'
        ? Index.hnswSq(common)
        : type === 'ivf_hnsw_pq'
          ? Index.hnswPq({ ...common, numSubVectors: subVectorsFor(dim) })
          : type === 'ivf_rq'
            ? Index.ivfRq(common)
            : Index.ivfPq({ ...common, numSubVectors: subVectorsFor(dim) });
  const started = performance.now();
  await table.createIndex('vector', { config, replace: true, ...(name ? { name } : {}) });
  return (performance.now() - started) / 1000;
}

export async function hasVectorIndex(table: Table): Promise<string | null> {
  return (await vectorIndexes(table))[0]?.type ?? null;
}

export interface VectorIndexInfo {
  name: string;
  type: string;
  /** The rows it was trained on: from its name, else (an index of older code) the rows it covers. */
  trainedRows: number | null;
}

/** The vector indexes, the one trained on the most rows first (two exist while a rebuild ends). */
export async function vectorIndexes(table: Table): Promise<VectorIndexInfo[]> {
  const indices = await table.listIndices();
  return indices
    .filter((i) => i.columns.includes('vector'))
    .map((i) => ({ name: i.name, type: i.indexType, trainedRows: trainedRowsOf(i.name) ?? (i as { numIndexedRows?: number }).numIndexedRows ?? null }))
    .sort((a, b) => (b.trainedRows ?? 0) - (a.trainedRows ?? 0));
}

export interface AnnIndexer {
  state(): AnnState;
  /** Query options for a query of `limit` rows when an index is ready, null while queries scan flat. */
  queryOptions(limit: number): AnnQueryOptions | null;
  /**
   * Checks the table (at most every few seconds) and starts a build when it needs one: the first,
   * or a rebuild once the table outgrew the index (`writing`: a job writes now, the larger growth).
   */
  refresh(table: Table, dim: number, options?: { force?: boolean; build?: boolean; writing?: boolean; rebuild?: boolean }): Promise<void>;
  /** Whether a build or rebuild runs now (optimizes wait: they would conflict). */
  building(): boolean;
  /** Resolves when a running build ends (immediately when none runs). */
  idle(): Promise<void>;
  reset(): void;
}

export interface AnnIndexerHooks {
  onBuilt?: (seconds: number, rows: number, type: string) => void;
  onFailed?: (err: unknown) => void;
  /** Awaited before a build starts (search-priority.ts: a native build cannot be paused once it runs). */
  beforeBuild?: (rows: number) => Promise<void> | undefined;
  /** Whether another store job (an optimize) runs now: a build waits for it (they would conflict). */
  busy?: () => Promise<void> | null;
}

export function createAnnIndexer(options: AnnIndexOptions, hooks: AnnIndexerHooks = {}): AnnIndexer {
  const type = options.type ?? defaultAnnIndexType;
  const growth = options.rebuildGrowth ?? annRebuildDefaults.growth;
  const growthWriting = options.rebuildGrowthWriting ?? annRebuildDefaults.growthWriting;
  let state: AnnState = { state: 'none' };
  let building: Promise<void> | null = null;
  let checkedAt = 0;

  /** Builds over `rows` under a new name, then drops the `older` indexes (a rebuild: searches read them until then). */
  function start(table: Table, dim: number, rows: number, older: readonly string[]): void {
    const rebuild = older.length > 0;
    state = rebuild ? { ...state, state: 'ready', rebuilding: true } : { state: 'building', type, rows };
    building = (async () => {
      await hooks.beforeBuild?.(rows);
      await hooks.busy?.();
      const seconds = await buildAnnIndex(table, type, rows, dim, annIndexName(rows));
      for (const name of older) await table.dropIndex(name);
      return seconds;
    })()
      .then((seconds) => {
        state = { state: 'ready', type, rows, buildSeconds: seconds };
        hooks.onBuilt?.(seconds, rows, type);
      })
      .catch((err: unknown) => {
        const error = err instanceof Error ? err.message.slice(0, 300) : String(err);
        // A failed rebuild leaves the old index serving (and is not retried by this process).
        state = rebuild ? { ...state, state: 'ready', rebuilding: false, rebuildFailed: true, error } : { state: 'failed', type, rows, error };
        hooks.onFailed?.(err);
      })
      .finally(() => {
        building = null;
      });
  }

  return {
    state: () => ({ ...state }),
    queryOptions: (limit) => (state.state === 'ready' ? { nprobes: options.nprobes ?? annQueryDefaults.nprobes, refineFactor: options.refineFactor ?? refineFactorFor(limit, refineRowsFor(state.type)) } : null),
    async refresh(table, dim, { force = false, build = true, writing = false, rebuild = true } = {}) {
      if (building) return;
      if (!force && performance.now() - checkedAt < 5000) return;
      checkedAt = performance.now();
      const existing = await vectorIndexes(table);
      const current = existing[0];
      if (current) {
        if (state.state !== 'ready') state = { ...state, state: 'ready', type: current.type.toLowerCase() };
        if (!build || !rebuild || state.rebuildFailed) return;
        const rows = await table.countRows();
        const trained = current.trainedRows ?? rows;
        if (rows >= trained * (writing ? growthWriting : growth)) start(table, dim, rows, existing.map((i) => i.name));
        // A rebuild that ended before its old index was dropped (the process stopped): drop it now.
        else if (existing.length > 1) for (const old of existing.slice(1)) await table.dropIndex(old.name).catch(hooks.onFailed);
        return;
      }
      if (state.state === 'ready') state = { state: 'none' };
      if (!build || state.state === 'failed') return;
      const rows = await table.countRows();
      if (rows < options.minRows) return;
      start(table, dim, rows, []);
    },
    building: () => building !== null,
    idle: () => building ?? Promise.resolve(),
    reset() {
      state = { state: 'none' };
      checkedAt = 0;
    },
  };
}
