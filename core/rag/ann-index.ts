/**
 * The ANN vector index, built in the background once a chunk table is large enough. Nothing waits
 * for it: queries and ingestion keep using the table (a flat scan) until the build commits, and
 * rows added afterwards are scanned flat next to the index until an optimize folds them in.
 */
import type { Table } from '@lancedb/lancedb';
import type { KbStats } from '../common/knowledge';
import type { AnnQueryOptions } from './search';
import { loadLance } from './store';

export type AnnIndexType = 'ivf_pq' | 'ivf_flat' | 'ivf_hnsw_sq' | 'ivf_hnsw_pq' | 'ivf_rq';

export interface AnnIndexOptions {
  /** Build from this many rows on (flat scan below: fast enough, and exact). */
  minRows: number;
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

export async function buildAnnIndex(table: Table, type: AnnIndexType, rows: number, dim: number): Promise<number> {
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
  await table.createIndex('vector', { config, replace: true });
  return (performance.now() - started) / 1000;
}

export async function hasVectorIndex(table: Table): Promise<string | null> {
  const indices = await table.listIndices();
  const found = indices.find((i) => i.columns.includes('vector'));
  return found ? found.indexType : null;
}

export interface AnnIndexer {
  state(): AnnState;
  /** Query options for a query of `limit` rows when an index is ready, null while queries scan flat. */
  queryOptions(limit: number): AnnQueryOptions | null;
  /** Checks the table (at most every few seconds) and starts a build when it needs one. */
  refresh(table: Table, dim: number, options?: { force?: boolean; build?: boolean }): Promise<void>;
  /** Resolves when a running build ends (immediately when none runs). */
  idle(): Promise<void>;
  reset(): void;
}

export interface AnnIndexerHooks {
  onBuilt?: (seconds: number, rows: number, type: string) => void;
  onFailed?: (err: unknown) => void;
  /** Awaited before a build starts (search-priority.ts: a native build cannot be paused once it runs). */
  beforeBuild?: () => Promise<void>;
  /** Whether another store job (an optimize) runs now: a build waits for it (they would conflict). */
  busy?: () => Promise<void> | null;
}

export function createAnnIndexer(options: AnnIndexOptions, hooks: AnnIndexerHooks = {}): AnnIndexer {
  const type = options.type ?? defaultAnnIndexType;
  let state: AnnState = { state: 'none' };
  let building: Promise<void> | null = null;
  let checkedAt = 0;
  return {
    state: () => ({ ...state }),
    queryOptions: (limit) => (state.state === 'ready' ? { nprobes: options.nprobes ?? annQueryDefaults.nprobes, refineFactor: options.refineFactor ?? refineFactorFor(limit, refineRowsFor(state.type)) } : null),
    async refresh(table, dim, { force = false, build = true } = {}) {
      if (building) return;
      if (!force && performance.now() - checkedAt < 5000) return;
      checkedAt = performance.now();
      const existing = await hasVectorIndex(table);
      if (existing) {
        if (state.state !== 'ready') state = { ...state, state: 'ready', type: existing.toLowerCase() };
        return;
      }
      if (state.state === 'ready') state = { state: 'none' };
      if (!build || state.state === 'failed') return;
      const rows = await table.countRows();
      if (rows < options.minRows) return;
      state = { state: 'building', type, rows };
      building = (async () => {
        await hooks.beforeBuild?.();
        await hooks.busy?.();
        return buildAnnIndex(table, type, rows, dim);
      })()
        .then((seconds) => {
          state = { state: 'ready', type, rows, buildSeconds: seconds };
          hooks.onBuilt?.(seconds, rows, type);
        })
        .catch((err: unknown) => {
          state = { state: 'failed', type, rows, error: err instanceof Error ? err.message.slice(0, 300) : String(err) };
          hooks.onFailed?.(err);
        })
        .finally(() => {
          building = null;
        });
    },
    idle: () => building ?? Promise.resolve(),
    reset() {
      state = { state: 'none' };
      checkedAt = 0;
    },
  };
}
