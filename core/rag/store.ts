/**
 * The LanceDB store of the knowledge base: a URI (a local folder today, s3://bucket/path when
 * several agents share one knowledge base). Tables:
 * - `kb_sources`: the roots the user added;
 * - `kb_files`: one row per ingested file, written after its chunks (the per-file commit marker);
 * - `kb_chunks__<model>__<dim>`: chunks with their vectors, one table per embedding version, so a
 *   new embedding model never mixes vectors of two models in one search.
 * LanceDB is loaded and connected on first use (the core is created synchronously).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Connection, Table } from '@lancedb/lancedb';
import { Field, Float64, Int32, Schema, Utf8 } from 'apache-arrow';
import { chunkArrowSchema } from './chunk-batch';
import { storeError } from './store-errors';

export type LanceModule = typeof import('@lancedb/lancedb');

let lanceModule: Promise<LanceModule> | null = null;

/**
 * Environment LanceDB reads, set before it loads unless the user set them:
 * - `LANCEDB_LOG`: silences Lance's WARN lines (read at load time);
 * - `LANCE_FTS_WRITE_QUEUE_SIZE`: LanceDB 0.31 (Lance 8.0) deadlocks building a full-text index
 *   on hosts with 3 CPUs or fewer (docs/upstream/lancedb-fts-hang.md). Its posting-list producer
 *   runs on Lance's CPU pool (one thread there) and blocks that thread on a 1-slot queue while the
 *   file writer that drains the queue waits for the same pool; from then on every full-text query
 *   and every write of the process waits too. A queue deeper than the batches one index partition
 *   makes (256 posting lists each, so 16M distinct words) never blocks the producer. Read at the
 *   first index build; fixed upstream (lance#7423, @lancedb/lancedb 0.33).
 * - `LANCE_CPU_THREADS`: 2 on hosts with 3 CPUs or fewer, where Lance's CPU pool would have one
 *   thread (`max(1, CPUs - 2)`): there a search's scan queued behind a running optimize or index
 *   build (seconds); with a second thread it runs beside it (docs/benchmarks.md, "Scale": at 20k
 *   chunks during ingestion, search p95 20.6 s -> 5.9 s and ingestion 163 -> 256 chunks/s in the
 *   same loaded hour). Larger hosts keep Lance's own default.
 * - `TOKIO_WORKER_THREADS`: at least 8. LanceDB's async runtime (tokio, one worker a CPU by
 *   default) runs parts of an optimize and an index build on its workers; on 2 CPUs those held
 *   both, and every query of the process waited (a search during a rebuild at 100k rows: p95
 *   411 ms, max 737 ms). With more workers than CPUs the OS shares the CPUs and a query's async
 *   work goes on beside them (p95 31 ms, max 169 ms; docs/benchmarks.md "Scale, fourth pass").
 */
export const lanceEnvDefaults: Readonly<Record<string, string>> = {
  LANCEDB_LOG: 'error',
  LANCE_FTS_WRITE_QUEUE_SIZE: '65536',
  ...(availableParallelism() <= 3 ? { LANCE_CPU_THREADS: '2' } : {}),
  TOKIO_WORKER_THREADS: String(Math.max(8, availableParallelism())),
};

export function applyLanceEnvDefaults(env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(lanceEnvDefaults)) env[name] ??= value;
}

/** Loads the native module once, with `lanceEnvDefaults` in the environment. */
export function loadLance(): Promise<LanceModule> {
  applyLanceEnvDefaults();
  lanceModule ??= import('@lancedb/lancedb');
  return lanceModule;
}

export interface ChunkRow {
  id: string;
  source_id: string;
  path: string;
  heading: string;
  position: number;
  text: string;
  /** sha256 of the text (the embedding cache key). */
  text_hash: string;
  file_hash: string;
  mtime: number;
  embedding_version: string;
  vector: Float32Array | number[];
}

export interface FileRow {
  path: string;
  source_id: string;
  file_hash: string;
  size: number;
  mtime: number;
  chunks: number;
  embedding_version: string;
  ingested_at: string;
}

export interface SourceRow {
  id: string;
  root: string;
  added_at: string;
  last_ingest_at: string;
  skipped: number;
}

const str = (name: string) => new Field(name, new Utf8(), false);

const filesSchema = new Schema([str('path'), str('source_id'), str('file_hash'), new Field('size', new Float64(), false), new Field('mtime', new Float64(), false), new Field('chunks', new Int32(), false), str('embedding_version'), str('ingested_at')]);
const sourcesSchema = new Schema([str('id'), str('root'), str('added_at'), str('last_ingest_at'), new Field('skipped', new Int32(), false)]);

/** The chunk table's schema lives beside the Arrow batches ingestion writes (chunk-batch.ts). */
const chunksSchema = (dim: number): Schema => chunkArrowSchema(dim) as unknown as Schema;

/** SQL string literal for LanceDB predicates. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function sqlIn(column: string, values: readonly string[]): string {
  return `${column} IN (${values.map(sqlString).join(', ')})`;
}

const slug = (model: string) => `${model.replace(/[^A-Za-z0-9]+/g, '_').slice(0, 40)}_${createHash('sha256').update(model).digest('hex').slice(0, 6)}`;

export function chunksTableName(model: string, dim: number): string {
  return `kb_chunks__${slug(model)}__${dim}`;
}

export function embeddingVersionOf(model: string, dim: number): string {
  return `${model}@${dim}`;
}

/** The local folder of a store URI, or null for object-store URIs (s3://, gs://, az://). */
export function localPathOf(uri: string): string | null {
  if (uri.startsWith('file://')) return new URL(uri).pathname;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) ? null : uri;
}

export interface KbStore {
  readonly uri: string;
  /** Opens the tables that exist; creates nothing (a read-only store can still be searched). */
  connection(): Promise<Connection>;
  tableNames(): Promise<string[]>;
  /** Chunk tables of any model, by name. */
  chunkTables(): Promise<string[]>;
  /** The chunk table of a model, if one exists (its dimension is in its name). */
  findChunksTable(model: string): Promise<{ table: Table; name: string; dim: number } | null>;
  openChunksTable(model: string, dim: number, create: boolean): Promise<Table | null>;
  files(create: boolean): Promise<Table | null>;
  sources(create: boolean): Promise<Table | null>;
  dropTable(name: string): Promise<void>;
  close(): void;
}

export function createKbStore(uri: string): KbStore {
  let db: Promise<Connection> | null = null;
  const tables = new Map<string, Table>();

  const connection = () => {
    db ??= (async () => {
      const local = localPathOf(uri);
      if (local) {
        if (existsSync(local) && !statSync(local).isDirectory()) throw new Error(`${local} is not a directory (os error 20)`);
        mkdirSync(local, { recursive: true });
      }
      const lancedb = await loadLance();
      // Re-check other processes' writes (the CLI ingests while the app runs) at most once a second.
      return lancedb.connect(uri, { readConsistencyInterval: 1 });
    })().catch((err: unknown) => {
      db = null;
      throw storeError(uri, 'opening it', err);
    });
    return db;
  };

  async function open(name: string, schema: Schema | null): Promise<Table | null> {
    const cached = tables.get(name);
    if (cached) return cached;
    const conn = await connection();
    try {
      const names = await conn.tableNames();
      let table: Table;
      if (names.includes(name)) table = await conn.openTable(name);
      else if (schema) table = await conn.createEmptyTable(name, schema, { mode: 'create', existOk: true });
      else return null;
      tables.set(name, table);
      return table;
    } catch (err) {
      throw storeError(uri, `opening table ${name}`, err);
    }
  }

  const store: KbStore = {
    uri,
    connection,
    async tableNames() {
      const conn = await connection();
      try {
        return await conn.tableNames();
      } catch (err) {
        throw storeError(uri, 'listing tables', err);
      }
    },
    async chunkTables() {
      return (await store.tableNames()).filter((n) => n.startsWith('kb_chunks__'));
    },
    async findChunksTable(model) {
      const prefix = `kb_chunks__${slug(model)}__`;
      // An open handle answers without listing the store on every query.
      const name = [...tables.keys()].find((n) => n.startsWith(prefix)) ?? (await store.chunkTables()).find((n) => n.startsWith(prefix));
      if (!name) return null;
      const table = await open(name, null);
      return table ? { table, name, dim: Number(name.slice(prefix.length)) } : null;
    },
    openChunksTable(model, dim, create) {
      return open(chunksTableName(model, dim), create ? chunksSchema(dim) : null);
    },
    files: (create) => open('kb_files', create ? filesSchema : null),
    sources: (create) => open('kb_sources', create ? sourcesSchema : null),
    async dropTable(name) {
      const conn = await connection();
      tables.get(name)?.close();
      tables.delete(name);
      try {
        await conn.dropTable(name);
      } catch (err) {
        throw storeError(uri, `dropping table ${name}`, err);
      }
    },
    close() {
      for (const t of tables.values()) {
        try {
          t.close();
        } catch {
          // already closed
        }
      }
      tables.clear();
      void db?.then((c) => c.close()).catch(() => {});
      db = null;
    },
  };
  return store;
}
