/**
 * A job's file reads, off the main thread. Each async file-system call is a round trip through
 * libuv's thread pool, and waking the main thread for its answer is not free: a read took four
 * (open, fstat, read, close), 190 ms of the main thread in a 3,600-chunk job of ~1 s here, where
 * the main thread is the job's bottleneck (event loop utilization 0.9). One worker thread reads
 * the files with plain sync calls (blocking only itself: a slow network share stalls the job, not
 * the searches and the chat) and hands the bytes over by transfer, a few files a message: a
 * message a file cost the main thread ~67 us each here (docs/benchmarks.md, "Scale, session 9").
 *
 * Same answers as `readRegular` (read-file.ts), which stays the reader of small jobs, of reads
 * asked before the worker runs, and of every read after the worker failed: so nothing is lost.
 */
import { Worker } from 'node:worker_threads';
import type { SkippedFile } from '../common/knowledge';
import { readRegular } from './read-file';
import { specialKind } from './walk';

/** A job's files read in order, a few ahead of the one being chunked (memory stays bounded). */
export interface FileStream {
  /** The next file's bytes or why not; never rejects. */
  next(): Promise<Buffer | SkippedFile>;
}

export interface FileReader {
  /** One `next()` a path, in order; once `signal` aborts, `next()` answers at once (see `abortable`). */
  stream(paths: readonly string[], maxBytes: number, signal?: AbortSignal): FileStream;
  /** Ends the worker (without waiting for a read it is blocked in); reads still owed are answered `unreadable`. */
  close(): Promise<void>;
  /** Files answered by the worker and by the thread pool (before it ran, after it failed, small jobs). */
  readonly answered: { worker: number; pool: number };
  /** Where new reads go: `starting` (the pool, until the worker runs), `worker`, or `pool`. */
  mode(): 'starting' | 'worker' | 'pool';
}

/** Files read ahead of the one being chunked (at most this many maxFileBytes in memory). */
export const readAheadFiles = 8;
/** Credit the worker is given back at a time: one message per this many files, each way. */
const creditStep = 4;

/** Jobs with fewer files read on the thread pool: a worker takes ~50 ms to start here. */
export const workerReadMinFiles = 64;

type ReadAnswer =
  | { index: number; bytes: Uint8Array }
  | { index: number; skip: 'unreadable' | 'too_large'; detail: string }
  | { index: number; special: { fifo: boolean; socket: boolean; char: boolean; block: boolean } };
type ToWorker = { type: 'open'; stream: number; paths: readonly string[]; from: number; maxBytes: number; credit: number } | { type: 'credit'; stream: number; n: number };
type FromWorker = { stream: number; answers: ReadAnswer[] };

// Plain CommonJS run by `new Worker(code, { eval: true })`: the checks of read-file.ts, in order.
// A stream's files are read in order while it has credit (files read and not yet taken by the
// job); answers go back a few at a time, their bytes transferred. Between batches the worker
// returns to its event loop, to hear of new credit. A stream the job left (an aborted job) has
// no credit left, so it reads no more; the job's end terminates the worker.
// A file whose fstat says 0 bytes (procfs, sysfs) is read to its end, as FileHandle.readFile does.
const workerCode = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { O_RDONLY, O_NONBLOCK, O_NOFOLLOW } = fs.constants;
const flags = O_RDONLY | O_NONBLOCK | (O_NOFOLLOW ?? 0);
const code = (err) => String(err?.code ?? err?.message ?? err);
const streams = new Map();
function readAll(fd, size, maxBytes) {
  if (size > 0) {
    const bytes = new Uint8Array(size);
    let length = 0;
    while (length < size) {
      const n = fs.readSync(fd, bytes, length, size - length, length);
      if (n === 0) break;
      length += n;
    }
    return length === size ? bytes : bytes.slice(0, length);
  }
  const parts = [];
  let total = 0;
  for (;;) {
    const part = new Uint8Array(65536);
    const n = fs.readSync(fd, part, 0, part.length, null);
    if (n === 0) break;
    parts.push(part.subarray(0, n));
    total += n;
    if (total > maxBytes) break;
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { bytes.set(p, at); at += p.length; }
  return bytes;
}
function readOne(index, path, maxBytes) {
  let fd;
  try {
    fd = fs.openSync(path, flags);
  } catch (err) {
    return { index, skip: 'unreadable', detail: code(err) };
  }
  try {
    const info = fs.fstatSync(fd);
    if (!info.isFile()) return { index, special: { fifo: info.isFIFO(), socket: info.isSocket(), char: info.isCharacterDevice(), block: info.isBlockDevice() } };
    if (info.size > maxBytes) return { index, skip: 'too_large', detail: info.size + ' bytes > ' + maxBytes };
    const bytes = readAll(fd, info.size, maxBytes);
    return bytes.length > maxBytes ? { index, skip: 'too_large', detail: bytes.length + ' bytes > ' + maxBytes } : { index, bytes };
  } catch (err) {
    return { index, skip: 'unreadable', detail: code(err) };
  } finally {
    try { fs.closeSync(fd); } catch {}
  }
}
let pumping = false;
function pump() {
  pumping = false;
  for (const [id, s] of streams) {
    const answers = [];
    while (s.credit > 0 && s.at < s.paths.length && answers.length < ${creditStep}) {
      answers.push(readOne(s.at, s.paths[s.at], s.maxBytes));
      s.at++;
      s.credit--;
    }
    if (answers.length) parentPort.postMessage({ stream: id, answers }, answers.flatMap((a) => (a.bytes ? [a.bytes.buffer] : [])));
    if (s.at >= s.paths.length) streams.delete(id);
    else if (s.credit > 0) schedule();
  }
}
function schedule() {
  if (!pumping) { pumping = true; setImmediate(pump); }
}
parentPort.on('message', (m) => {
  if (m.type === 'open') streams.set(m.stream, { paths: m.paths, at: m.from, maxBytes: m.maxBytes, credit: m.credit });
  else { const s = streams.get(m.stream); if (s) s.credit += m.n; }
  schedule();
});
`;

/**
 * The thread pool's stream over paths[from..]: `limit()` bounds its read-ahead (a stream whose
 * later files the worker reads stops there).
 */
function poolStream(paths: readonly string[], maxBytes: number, read: (path: string, maxBytes: number) => Promise<Buffer | SkippedFile>, limit: () => number = () => paths.length): FileStream & { started(): number } {
  const reads = new Map<number, Promise<Buffer | SkippedFile>>();
  let at = 0;
  let startedUpTo = 0;
  return {
    started: () => startedUpTo,
    next() {
      const end = Math.min(paths.length, limit(), at + readAheadFiles);
      for (let i = Math.max(at, startedUpTo); i < end; i++) reads.set(i, read(paths[i]!, maxBytes));
      startedUpTo = Math.max(startedUpTo, end);
      const answer = reads.get(at) ?? read(paths[at]!, maxBytes);
      reads.delete(at);
      at++;
      return answer;
    },
  };
}

/**
 * A stream whose `next()` answers `unreadable` at once when `signal` aborts: a read blocked on a
 * hung network share (in the worker or the thread pool) must not hold a cancelled job, which
 * checks its signal after each file.
 */
function abortable(stream: FileStream, signal: AbortSignal | undefined): FileStream {
  if (!signal) return stream;
  const aborted = new Promise<SkippedFile>((resolve) => {
    const answer = () => resolve({ path: '', reason: 'unreadable', detail: 'the ingestion was cancelled' });
    if (signal.aborted) answer();
    else signal.addEventListener('abort', answer, { once: true });
  });
  return { next: () => Promise.race([stream.next(), aborted]) };
}

/** The reader's tally, and a read on the thread pool (read-file.ts) that counts itself. */
function countedPool() {
  const answered = { worker: 0, pool: 0 };
  const viaPool = (path: string, maxBytes: number) => {
    answered.pool++;
    return readRegular(path, maxBytes);
  };
  return { answered, viaPool };
}

/** The thread pool's reader (read-file.ts): small jobs. */
export function createPoolReader(): FileReader {
  const { answered, viaPool } = countedPool();
  return { answered, mode: () => 'pool', stream: (paths, maxBytes, signal) => abortable(poolStream(paths, maxBytes, viaPool), signal), close: async () => {} };
}

/** A reader for a job of `files` files: a worker for a large job, else the thread pool's. */
export function fileReaderFor(files: number): FileReader {
  return files >= workerReadMinFiles ? createWorkerReader() : createPoolReader();
}

interface WorkerStream {
  paths: readonly string[];
  maxBytes: number;
  /** Files from here on are the worker's (paths.length until it took the stream over). */
  from: number;
  answers: Map<number, Buffer | SkippedFile>;
  waiting: Map<number, (answer: Buffer | SkippedFile) => void>;
}

/** `source`: the worker's code (a test gives one that fails, to see the reads fall back). */
export function createWorkerReader(source: string = workerCode): FileReader {
  const { answered, viaPool } = countedPool();
  const streams = new Map<number, WorkerStream>();
  let nextId = 0;
  let online = false;
  let failed = false;
  const worker = new Worker(source, { eval: true });
  // A worker that exists must not keep a CLI process alive; the job closes it anyway.
  worker.unref();
  const post = (m: ToWorker) => worker.postMessage(m);
  /** The worker takes over each stream from the first file the pool has not started. */
  const open = (id: number, s: WorkerStream, from: number) => {
    s.from = from;
    if (from < s.paths.length) post({ type: 'open', stream: id, paths: s.paths, from, maxBytes: s.maxBytes, credit: readAheadFiles });
  };
  const handOver = new Map<number, () => void>();
  worker.once('online', () => {
    online = true;
    for (const take of handOver.values()) take();
    handOver.clear();
  });

  /** The worker ended or failed: every file it still owed is read by the thread pool. */
  const fallBack = () => {
    if (failed) return;
    failed = true;
    for (const s of streams.values()) {
      for (const [index, resolve] of s.waiting) void viaPool(s.paths[index]!, s.maxBytes).then(resolve);
      s.waiting.clear();
    }
  };
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  worker.on('message', (m: FromWorker) => {
    const s = streams.get(m.stream);
    if (!s) return;
    for (const a of m.answers) {
      answered.worker++;
      const path = s.paths[a.index]!;
      const answer: Buffer | SkippedFile =
        'bytes' in a
          ? Buffer.from(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength)
          : 'special' in a
            ? { path, reason: 'special_file', detail: specialKind({ isFIFO: () => a.special.fifo, isSocket: () => a.special.socket, isCharacterDevice: () => a.special.char, isBlockDevice: () => a.special.block }) }
            : { path, reason: a.skip, detail: a.detail };
      const resolve = s.waiting.get(a.index);
      if (resolve) {
        s.waiting.delete(a.index);
        if (a.index === s.paths.length - 1) streams.delete(m.stream);
        resolve(answer);
      } else s.answers.set(a.index, answer);
    }
  });

  /** A stream the pool begins while the worker starts and the worker takes over. */
  function workerStream(paths: readonly string[], maxBytes: number): FileStream {
    const id = nextId++;
    const s: WorkerStream = { paths, maxBytes, from: paths.length, answers: new Map(), waiting: new Map() };
    // Until the worker runs, the pool reads (and reads ahead); then the worker from where the pool stopped.
    const pool = poolStream(paths, maxBytes, viaPool, () => s.from);
    if (failed) return pool;
    streams.set(id, s);
    if (online) open(id, s, 0);
    else handOver.set(id, () => open(id, s, pool.started()));
    let at = 0;
    return {
      next() {
        const index = at++;
        if (index >= paths.length) return Promise.resolve({ path: '', reason: 'unreadable', detail: 'read past the end of the stream' });
        // The stream is forgotten once its last answer is handed out (here, or when it arrives).
        const last = index === paths.length - 1;
        if (last) handOver.delete(id);
        if (index < s.from) {
          if (last) streams.delete(id);
          return pool.next();
        }
        // Each file taken frees credit for one more; given back a few at a time.
        if ((index - s.from) % creditStep === creditStep - 1 && !failed) post({ type: 'credit', stream: id, n: creditStep });
        const ready = s.answers.get(index);
        if (ready) {
          s.answers.delete(index);
          if (last) streams.delete(id);
          return Promise.resolve(ready);
        }
        if (failed) return viaPool(paths[index]!, maxBytes);
        return new Promise((resolve) => s.waiting.set(index, resolve));
      },
    };
  }

  return {
    answered,
    mode: () => (failed ? 'pool' : online ? 'worker' : 'starting'),
    stream: (paths, maxBytes, signal) => abortable(workerStream(paths, maxBytes), signal),
    async close() {
      failed = true;
      for (const s of streams.values()) {
        for (const [index, resolve] of s.waiting) resolve({ path: s.paths[index]!, reason: 'unreadable', detail: 'the ingestion ended before this file was read' });
        s.waiting.clear();
      }
      streams.clear();
      // Not awaited: a worker blocked in a read of a hung network share ends only when that read
      // returns, and the job (a cancel among them) must not wait for it.
      void worker.terminate().catch(() => undefined);
    },
  };
}
