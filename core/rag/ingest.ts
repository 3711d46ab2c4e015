/**
 * One ingestion job: walk the roots, read and chunk each file, embed, write.
 *
 * Crash safety: files are written in batches, and for each batch
 *   1. the chunks of the batch's paths are deleted,
 *   2. the new chunks are added (ids = hash(path, position, text): deterministic),
 *   3. the files' manifest rows are upserted - the per-file commit marker.
 * A crash anywhere before 3 leaves the manifest at the old hash (or without the file), so the next
 * run redoes the file, and step 1 removes whatever a half-finished run added: never a duplicate.
 * Unchanged files (same content hash and embedding version) are skipped; files gone from a root
 * (deleted, or now skipped) lose their chunks after a complete walk of that root.
 */
import { createHash, randomUUID } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Table } from '@lancedb/lancedb';
import { BrunoError } from '../common/errors';
import type { IngestProgress, IngestSummary, SkippedFile } from '../common/knowledge';
import { chunkBatch } from './chunk-batch';
import { chunkText, type ChunkOptions, type TextChunk } from './chunker';
import { textHash, type Embedder, type EmbeddingCache, type EmbedRequestTimes } from './embedder';
import { chunkPdfPages, PdfReader, type PdfLimits } from './pdf-to-text';
import { sniff } from './sniff';
import { chunksTableName, embeddingVersionOf, sqlIn, type ChunkRow, type FileRow, type KbStore, type SourceRow } from './store';
import { SkipTally } from './skip-tally';
import { fileReaderFor } from './file-reader';
import { isInside, walkRoot, type FoundFile } from './walk';

export interface IngestDeps {
  store: KbStore;
  embedder: Embedder;
  cache: EmbeddingCache;
  chunking: ChunkOptions;
  maxFileBytes: number;
  /** Page and time caps for PDFs (defaults in pdf-to-text.ts). */
  pdf?: Partial<PdfLimits>;
  /** Reads PDFs in a worker thread; without one, the job starts its own and ends it when done. */
  pdfReader?: PdfReader;
  /** Chunks per write batch (one delete + add + manifest upsert). */
  batchChunks?: number;
  /** Write batches in flight (embedding while the previous one is written); default 2. */
  pipelineDepth?: number;
  onProgress?: (progress: IngestProgress) => void;
  onSkipped?: (file: SkippedFile) => void;
  /**
   * Awaited before each embed request and each batch write: resolves at once unless a search runs
   * (search-priority.ts), so searches do not queue behind the job's LanceDB work.
   */
  yieldToSearches?: (signal?: AbortSignal) => Promise<void>;
  /**
   * The job's embed requests allowed in flight now, across its batches (default: no bound beyond
   * the embedder's two per batch and `pipelineDepth` batches); see knowledge-base.ts.
   */
  maxEmbedRequests?: () => number;
  /** Texts in the next embed request (default: the embedder's batch size); see knowledge-base.ts `jobBatchSize`. */
  embedBatchSize?: (times: EmbedRequestTimes) => number;
  /**
   * Awaited before a delete: a background optimize rewrites fragments a delete would change too
   * (a commit conflict), so deletes wait for it; appends do not conflict with it.
   */
  beforeDelete?: () => Promise<void>;
  /** After each batch is written, with the chunk table (index upkeep during a long job). */
  onBatchWritten?: (table: Table, rowsAdded: number) => void;
  /** Called after the first batch is written, so search works while a long job goes on. */
  onTableReady?: (table: Table) => Promise<void>;
  signal?: AbortSignal;
  /** Refuses roots the user did not allow (root-policy.ts); called with their real paths. */
  checkRoots?: (realRoots: readonly string[]) => Promise<void>;
  /** Real paths the walk leaves out (the data folder). */
  excluded?: readonly string[];
}

export const sourceIdOf = (root: string) => createHash('sha256').update(root).digest('hex').slice(0, 16);
export const chunkIdOf = (path: string, position: number, text: string) => createHash('sha256').update(`${path}\u0000${position}\u0000${text}`).digest('hex').slice(0, 32);
/** What is embedded: the heading trail gives a chunk its context. */
export const embeddingInput = (heading: string, text: string) => (heading ? `${heading}\n\n${text}` : text);

/** Real paths of the roots; a missing path is the caller's mistake, said plainly. */
export async function resolveRoots(paths: readonly string[]): Promise<string[]> {
  const roots: string[] = [];
  for (const p of paths) {
    if (p.includes('\u0000')) throw new BrunoError('invalid_request', 'A path contains a NUL byte');
    try {
      const real = await realpath(resolve(p));
      if (!roots.includes(real)) roots.push(real);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new BrunoError('invalid_request', code === 'ENOENT' ? `No such file or folder: ${p}` : code === 'ELOOP' ? `${p} is a symlink loop` : `Cannot open ${p}: ${code ?? (err as Error).message}`);
    }
  }
  return roots;
}

interface Pending {
  file: FoundFile;
  sourceId: string;
  hash: string;
  rows: Omit<ChunkRow, 'vector' | 'embedding_version'>[];
  inputs: string[];
}

function vectorOf(value: unknown): Float32Array {
  if (value instanceof Float32Array) return value;
  const v = value as { toArray?: () => ArrayLike<number> } | ArrayLike<number>;
  return Float32Array.from(typeof (v as { toArray?: unknown }).toArray === 'function' ? (v as { toArray: () => ArrayLike<number> }).toArray() : (v as ArrayLike<number>));
}

export async function runIngest(deps: IngestDeps, rootPaths: readonly string[], jobId: string = randomUUID()): Promise<IngestSummary> {
  const pdfReader = deps.pdfReader ?? new PdfReader();
  try {
    return await ingestWith(deps, pdfReader, rootPaths, jobId);
  } finally {
    if (!deps.pdfReader) await pdfReader.close();
  }
}

async function ingestWith(deps: IngestDeps, pdfReader: PdfReader, rootPaths: readonly string[], jobId: string): Promise<IngestSummary> {
  const started = performance.now();
  const { store, embedder, signal } = deps;
  const batchChunks = deps.batchChunks ?? 256;
  const roots = await resolveRoots(rootPaths);
  await deps.checkRoots?.(roots);

  const model = embedder.model;
  const existing = await store.findChunksTable(model);
  const dim = existing?.dim ?? (await embedder.dimension(signal ? { signal } : {}));
  const version = embeddingVersionOf(model, dim);
  const chunks = existing?.table ?? (await store.openChunksTable(model, dim, true))!;
  const currentName = chunksTableName(model, dim);
  const filesTable = (await store.files(true))!;
  const sourcesTable = (await store.sources(true))!;
  const manifest = new Map<string, FileRow>();
  for (const row of (await filesTable.query().toArray()) as FileRow[]) manifest.set(String(row.path), row);
  const oldSources = new Map<string, SourceRow>();
  for (const row of (await sourcesTable.query().toArray()) as SourceRow[]) oldSources.set(String(row.id), row);

  const tally = new SkipTally(roots);
  const summary: IngestSummary = { jobId, roots, filesSeen: 0, filesIngested: 0, filesUnchanged: 0, filesRemoved: 0, chunksAdded: 0, chunksRemoved: 0, embeddedTexts: 0, cacheHits: 0, skipped: tally.sample, skippedTotal: 0, skippedByReason: {}, embeddingVersion: version, seconds: 0 };
  // Only the sample is told one by one; progress events carry the count.
  const skip = (file: SkippedFile) => {
    if (tally.add(file)) deps.onSkipped?.(file);
  };
  let filesDone = 0;
  let filesTotal = 0;
  let lastProgress = 0;
  let lastPhase = '';
  // At most ~10 events a second, but every phase change is told.
  const progress = (phase: IngestProgress['phase'], currentPath?: string, force = false) => {
    const now = performance.now();
    if (!force && phase === lastPhase && now - lastProgress < 100) return;
    lastProgress = now;
    lastPhase = phase;
    const elapsed = (now - started) / 1000;
    const rate = elapsed > 0 ? summary.chunksAdded / elapsed : 0;
    const etaSeconds = filesDone > 0 && filesTotal > filesDone ? ((filesTotal - filesDone) * elapsed) / filesDone : filesDone >= filesTotal && filesTotal > 0 ? 0 : null;
    deps.onProgress?.({ jobId, phase, filesDone, filesTotal, chunksDone: summary.chunksAdded, rate, etaSeconds, skipped: tally.total, ...(currentPath ? { currentPath } : {}) });
  };

  progress('scanning', undefined, true);
  const walks: { root: string; files: FoundFile[] }[] = [];
  for (const root of roots) {
    const result = await walkRoot(root, deps.maxFileBytes, { ...(signal ? { signal } : {}), ...(deps.excluded ? { excluded: deps.excluded } : {}), onSkip: skip });
    walks.push({ root, files: result.files });
    filesTotal += result.files.length;
  }
  summary.filesSeen = filesTotal;

  let tableReady = (await chunks.countRows()) > 0;
  let batch: Pending[] = [];
  let batchSize = 0;
  // Rows no manifest entry accounts for (a run that crashed between its add and its manifest
  // upsert) can only exist when the table holds more rows than the manifest says. Without them a
  // file new to the manifest has nothing to delete first: a delete scans the whole table, and one
  // per batch made a long ingestion quadratic.
  const expectedRows = [...manifest.values()].filter((f) => f.embedding_version === version).reduce((n, f) => n + Number(f.chunks), 0);
  const orphansPossible = (await chunks.countRows()) !== expectedRows;

  // The job's embed requests in flight (all batches), and the workers waiting for one to end.
  let embedRequests = 0;
  let slotWaiters: (() => void)[] = [];
  const endRequest = () => {
    embedRequests--;
    const waiters = slotWaiters;
    slotWaiters = [];
    for (const w of waiters) w();
  };
  /** Before each embed request: after the searches, and within `maxEmbedRequests`. */
  const beforeRequest = async (): Promise<() => void> => {
    for (;;) {
      await deps.yieldToSearches?.(signal);
      if (embedRequests < (deps.maxEmbedRequests?.() ?? Infinity) || signal?.aborted) break;
      // Woken when a request of this job ends (an abort ends them too).
      await new Promise<void>((resolve) => slotWaiters.push(resolve));
    }
    embedRequests++;
    let ended = false;
    return () => {
      if (!ended) endRequest();
      ended = true;
    };
  };

  /** Embeds a batch: vectors of unchanged texts come back from the store (changed files), the rest from Ollama. */
  const embedBatch = async (taken: Pending[]): Promise<Float32Array[]> => {
    const paths = taken.map((p) => p.file.path);
    const changed = paths.filter((p) => manifest.get(p)?.embedding_version === version);
    if (changed.length) {
      const old = (await chunks.query().where(sqlIn('path', changed)).select(['text_hash', 'vector']).toArray()) as { text_hash: string; vector: unknown }[];
      for (const row of old) if (!deps.cache.get(model, row.text_hash)) deps.cache.set(model, row.text_hash, vectorOf(row.vector));
    }
    const inputs = taken.flatMap((p) => p.inputs);
    const hashes = taken.flatMap((p) => p.rows.map((r) => r.text_hash));
    const { vectors, stats } = await embedder.embedTexts(inputs, { hashes, beforeRequest, ...(signal ? { signal } : {}), ...(deps.embedBatchSize ? { batchSize: deps.embedBatchSize } : {}) });
    summary.embeddedTexts += stats.embedded;
    summary.cacheHits += stats.cacheHits;
    return vectors;
  };

  /** Writes an embedded batch (steps 1-3 above); batches are written one at a time, in order. */
  const writeBatch = async (taken: Pending[], vectors: Float32Array[]): Promise<void> => {
    signal?.throwIfAborted();
    const paths = taken.map((p) => p.file.path);
    const rows: ChunkRow[] = [];
    let i = 0;
    for (const p of taken) for (const r of p.rows) rows.push({ ...r, embedding_version: version, vector: vectors[i++]! });
    const stale = orphansPossible ? paths : paths.filter((p) => manifest.has(p));
    const yieldNow = () => deps.yieldToSearches?.(signal);
    if (stale.length) {
      await deps.beforeDelete?.();
      await yieldNow();
      await chunks.delete(sqlIn('path', stale));
    }
    if (rows.length) {
      await yieldNow();
      // One Arrow record batch, not row objects (chunk-batch.ts: 7x faster, and off the main thread's JS).
      await chunks.add(chunkBatch(rows, dim) as unknown as Record<string, unknown>[]);
    }
    await yieldNow();
    const now = new Date().toISOString();
    const fileRows: FileRow[] = taken.map((p) => ({ path: p.file.path, source_id: p.sourceId, file_hash: p.hash, size: p.file.size, mtime: p.file.mtimeMs, chunks: p.rows.length, embedding_version: version, ingested_at: now }));
    // A merge-insert joins against the whole manifest table: only files it already holds need one;
    // new files are appended (the in-memory manifest says which is which; this job is its only writer).
    const known = fileRows.filter((f) => manifest.has(f.path));
    const fresh = fileRows.filter((f) => !manifest.has(f.path));
    if (known.length) await filesTable.mergeInsert('path').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(known as unknown as Record<string, unknown>[]);
    if (fresh.length) await filesTable.add(fresh as unknown as Record<string, unknown>[]);
    for (const [j, p] of taken.entries()) {
      summary.chunksRemoved += manifest.get(p.file.path)?.chunks ?? 0;
      manifest.set(p.file.path, fileRows[j]!);
    }
    summary.chunksAdded += rows.length;
    summary.filesIngested += taken.length;
    if (!tableReady && rows.length) {
      tableReady = true;
      await deps.onTableReady?.(chunks);
    }
    if (rows.length) deps.onBatchWritten?.(chunks, rows.length);
  };

  // The pipeline: while batch N is written, batch N+1 is embedded and the files after it are read
  // and chunked, so Ollama always has a request (with a real model it is the slow part). At most
  // `inFlight` batches are held (memory stays bounded); writes keep their order.
  const inFlight = Math.max(1, deps.pipelineDepth ?? 2);
  const pending: Promise<void>[] = [];
  let lastWrite: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (batch.length === 0) return;
    signal?.throwIfAborted();
    const taken = batch;
    batch = [];
    batchSize = 0;
    // A batch's paths are its own: its embedding (and the old vectors it reads) need no earlier write.
    const embedded = embedBatch(taken);
    embedded.catch(() => undefined); // its failure is told through the write below
    // Embeds overlap, writes do not: a write starts after the previous one and its own embedding.
    const written = Promise.all([lastWrite, embedded]).then(([, vectors]) => writeBatch(taken, vectors));
    lastWrite = written;
    pending.push(written);
    written.catch(() => undefined);
    while (pending.length >= inFlight) await pending.shift();
  };
  /** Waits for every batch in flight; the first failure is thrown after all have settled. */
  const drain = async () => {
    const results = await Promise.allSettled(pending.splice(0));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };

  const removeFiles = async (paths: string[]) => {
    for (let at = 0; at < paths.length; at += 500) {
      const part = paths.slice(at, at + 500);
      for (const name of await store.chunkTables()) {
        const table = name === currentName ? chunks : await store.connection().then((c) => c.openTable(name));
        await table.delete(sqlIn('path', part));
      }
      await filesTable.delete(sqlIn('path', part));
      for (const p of part) {
        summary.chunksRemoved += manifest.get(p)?.chunks ?? 0;
        manifest.delete(p);
      }
      summary.filesRemoved += part.length;
    }
  };

  const reader = fileReaderFor(filesTotal);
  try {
    for (const { root, files } of walks) {
      const sourceId = sourceIdOf(root);
      const keep = new Set<string>();
      // Files are read a few ahead (in order): one at a time, the job waited out an open, a stat,
      // a read and a close per file, ~40% of a 600-file job's wall time in the profile of record.
      const reads = reader.stream(files.map((f) => f.path), deps.maxFileBytes, signal);
      for (const file of files) {
        signal?.throwIfAborted();
        progress('ingesting', file.path);
        const bytes = await reads.next();
        // A cancel answers a read blocked on a hung share at once: stop before counting it.
        signal?.throwIfAborted();
        if (!Buffer.isBuffer(bytes)) {
          skip(bytes);
          filesDone++;
          continue;
        }
        const decoded = sniff(file.kind, bytes);
        if (!decoded.ok) {
          skip({ path: file.path, reason: decoded.reason, detail: decoded.detail });
          filesDone++;
          continue;
        }
        const hash = createHash('sha256').update(bytes).digest('hex');
        const known = manifest.get(file.path);
        if (known && known.file_hash === hash && known.embedding_version === version) {
          keep.add(file.path);
          summary.filesUnchanged++;
          filesDone++;
          continue;
        }
        let pieces: TextChunk[];
        if (decoded.as === 'pdf') {
          // Text per page in a worker thread with page, time and memory caps; a bad PDF is one skip.
          const pdf = await pdfReader.read(bytes, deps.pdf, signal);
          if (!pdf.ok) {
            skip({ path: file.path, reason: pdf.reason, detail: pdf.detail });
            filesDone++;
            continue;
          }
          pieces = chunkPdfPages(pdf.pages, deps.chunking);
        } else pieces = chunkText(file.kind, decoded.text, deps.chunking);
        if (pieces.length === 0) {
          skip({ path: file.path, reason: 'empty' });
          filesDone++;
          continue;
        }
        keep.add(file.path);
        const rows = pieces.map((c) => {
          const input = embeddingInput(c.heading, c.text);
          return { id: chunkIdOf(file.path, c.position, c.text), source_id: sourceId, path: file.path, heading: c.heading, position: c.position, text: c.text, text_hash: textHash(input), file_hash: hash, mtime: file.mtimeMs };
        });
        batch.push({ file, sourceId, hash, rows, inputs: rows.map((r) => embeddingInput(r.heading, r.text)) });
        batchSize += rows.length;
        filesDone++;
        if (batchSize >= batchChunks) await flush();
      }
      await flush();
      await drain();
      // The walk of this root is complete: whatever the manifest holds under it and the walk did not keep is gone.
      const gone = [...manifest.keys()].filter((p) => isInside(root, p) && !keep.has(p));
      if (gone.length) await removeFiles(gone);
      const old = oldSources.get(sourceId);
      const sourceRow: SourceRow = { id: sourceId, root, added_at: old?.added_at ?? new Date().toISOString(), last_ingest_at: new Date().toISOString(), skipped: tally.underRoot(root) };
      await sourcesTable.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute([sourceRow] as unknown as Record<string, unknown>[]);
    }
  } finally {
    // A failed or cancelled job returns only once no write of it runs any more.
    await Promise.allSettled([...pending, reader.close()]);
  }
  progress('ingesting', undefined, true);
  progress('finishing', undefined, true);

  // Chunk tables of other embedding models are dropped once no file refers to them any more.
  if ([...manifest.values()].every((f) => f.embedding_version === version)) {
    for (const name of await store.chunkTables()) if (name !== currentName) await store.dropTable(name);
  }
  summary.skippedTotal = tally.total;
  summary.skippedByReason = tally.byReason();
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
