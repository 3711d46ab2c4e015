/**
 * What the serving process and the upkeep worker (upkeep-worker.ts) say to each other over the
 * IPC channel of a child process, and the index configurations both sides build from a plain
 * description (a LanceDB `Index` object cannot cross a process boundary).
 */
import type { Index } from '@lancedb/lancedb';
import type { LanceModule } from './store';

export type VectorIndexKind = 'ivfPq' | 'ivfFlat' | 'hnswSq' | 'hnswPq' | 'ivfRq';

export type IndexSpec = { kind: 'fts' } | { kind: VectorIndexKind; options: { numPartitions: number; distanceType: 'cosine'; numSubVectors?: number } };

/** One unit of upkeep on one table: a native call that cannot be paused once it runs. */
export type UpkeepJob = { op: 'optimize'; cleanupOlderThanMs: number } | { op: 'createIndex'; column: string; index: IndexSpec };

export type ToUpkeepWorker = { type: 'job'; id: number; uri: string; table: string; job: UpkeepJob };

export type FromUpkeepWorker = { type: 'ready'; pid: number } | { type: 'done'; id: number; version: number } | { type: 'failed'; id: number; message: string };

export function indexConfigOf(lance: Pick<LanceModule, 'Index'>, spec: IndexSpec): Index {
  const { Index } = lance;
  switch (spec.kind) {
    case 'fts':
      return Index.fts();
    case 'ivfFlat':
      return Index.ivfFlat(spec.options);
    case 'hnswSq':
      return Index.hnswSq(spec.options);
    case 'hnswPq':
      return Index.hnswPq(spec.options);
    case 'ivfRq':
      return Index.ivfRq(spec.options);
    case 'ivfPq':
      return Index.ivfPq(spec.options);
  }
}

/** Runs a job on a table handle of this process (the worker does, and the fallback). */
export async function runUpkeepJob(lance: Pick<LanceModule, 'Index'>, table: { optimize: (o: { cleanupOlderThan: Date }) => Promise<unknown>; createIndex: (column: string, o: { config: Index; replace: boolean }) => Promise<void> }, job: UpkeepJob): Promise<void> {
  if (job.op === 'optimize') await table.optimize({ cleanupOlderThan: new Date(Date.now() - job.cleanupOlderThanMs) });
  else await table.createIndex(job.column, { config: indexConfigOf(lance, job.index), replace: true });
}
