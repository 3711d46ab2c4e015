/**
 * A job's file reads, off the main thread. Each async file-system call is a round trip through
 * libuv's thread pool, and waking the main thread for its answer is not free: a read took four
 * (open, fstat, read, close), 190 ms of the main thread in a 3,600-chunk job of ~1 s here, where
 * the main thread is the job's bottleneck (event loop utilization 0.9). One worker thread reads
 * the files with plain sync calls (blocking only itself: a slow network share stalls the job, not
 * the searches and the chat) and hands each file's bytes over by transfer, one message a file
 * (docs/benchmarks.md, "Scale, session 9").
 *
 * Same answers as `readRegular` (read-file.ts), which stays the reader of small jobs, of reads
 * asked before the worker runs, and of every read after the worker failed: so nothing is lost.
 */
import { Worker } from 'node:worker_threads';
import type { SkippedFile } from '../common/knowledge';
import { readRegular } from './read-file';
import { specialKind } from './walk';

export interface FileReader {
  /** The file's bytes or why not; never rejects. */
  read(path: string, maxBytes: number): Promise<Buffer | SkippedFile>;
  /** Ends the worker; reads still pending are answered `unreadable`. */
  close(): Promise<void>;
  /** Reads answered by the worker and by the thread pool (before it ran, after it failed, small jobs). */
  readonly answered: { worker: number; pool: number };
  /** Where the next read goes: `starting` (the pool, until the worker runs), `worker`, or `pool`. */
  mode(): 'starting' | 'worker' | 'pool';
}

/** Jobs with fewer files read on the thread pool: a worker takes ~50 ms to start here. */
export const workerReadMinFiles = 64;

type FromWorker =
  | { id: number; bytes: Uint8Array }
  | { id: number; skip: 'unreadable' | 'too_large'; detail: string }
  | { id: number; special: { fifo: boolean; socket: boolean; char: boolean; block: boolean } };

// Plain CommonJS run by `new Worker(code, { eval: true })`: the checks of read-file.ts, in order.
// A file whose fstat says 0 bytes (procfs, sysfs) is read to its end, as FileHandle.readFile does.
const workerCode = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { O_RDONLY, O_NONBLOCK, O_NOFOLLOW } = fs.constants;
const flags = O_RDONLY | O_NONBLOCK | (O_NOFOLLOW ?? 0);
const code = (err) => String(err?.code ?? err?.message ?? err);
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
parentPort.on('message', ({ id, path, maxBytes }) => {
  let fd;
  try {
    fd = fs.openSync(path, flags);
  } catch (err) {
    parentPort.postMessage({ id, skip: 'unreadable', detail: code(err) });
    return;
  }
  try {
    const info = fs.fstatSync(fd);
    if (!info.isFile()) {
      parentPort.postMessage({ id, special: { fifo: info.isFIFO(), socket: info.isSocket(), char: info.isCharacterDevice(), block: info.isBlockDevice() } });
      return;
    }
    if (info.size > maxBytes) {
      parentPort.postMessage({ id, skip: 'too_large', detail: info.size + ' bytes > ' + maxBytes });
      return;
    }
    const bytes = readAll(fd, info.size, maxBytes);
    if (bytes.length > maxBytes) parentPort.postMessage({ id, skip: 'too_large', detail: bytes.length + ' bytes > ' + maxBytes });
    else parentPort.postMessage({ id, bytes }, [bytes.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, skip: 'unreadable', detail: code(err) });
  } finally {
    try { fs.closeSync(fd); } catch {}
  }
});
`;

/** The thread pool's reader (read-file.ts): small jobs, and the fallback of the worker's. */
export function createPoolReader(): FileReader {
  const answered = { worker: 0, pool: 0 };
  return {
    answered,
    read: (path, maxBytes) => {
      answered.pool++;
      return readRegular(path, maxBytes);
    },
    close: async () => {},
    mode: () => 'pool',
  };
}

/** A reader for a job of `files` files: a worker for a large job, else the thread pool's. */
export function fileReaderFor(files: number): FileReader {
  return files >= workerReadMinFiles ? createWorkerReader() : createPoolReader();
}

/** `source`: the worker's code (a test gives one that fails, to see the reads fall back). */
export function createWorkerReader(source: string = workerCode): FileReader {
  const answered = { worker: 0, pool: 0 };
  const viaPool = (path: string, maxBytes: number) => {
    answered.pool++;
    return readRegular(path, maxBytes);
  };
  const pending = new Map<number, { path: string; maxBytes: number; resolve: (r: Buffer | SkippedFile) => void }>();
  let nextId = 0;
  let online = false;
  let failed = false;
  const worker = new Worker(source, { eval: true });
  // A worker that exists must not keep a CLI process alive; the job closes it anyway.
  worker.unref();
  worker.once('online', () => (online = true));

  /** The worker ended or failed: every read it still owed goes through the thread pool. */
  const fallBack = () => {
    if (failed) return;
    failed = true;
    for (const [id, read] of pending) {
      pending.delete(id);
      void viaPool(read.path, read.maxBytes).then(read.resolve);
    }
  };
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  worker.on('message', (m: FromWorker) => {
    const read = pending.get(m.id);
    if (!read) return;
    pending.delete(m.id);
    answered.worker++;
    if ('bytes' in m) read.resolve(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
    else if ('special' in m) {
      const s = m.special;
      read.resolve({ path: read.path, reason: 'special_file', detail: specialKind({ isFIFO: () => s.fifo, isSocket: () => s.socket, isCharacterDevice: () => s.char, isBlockDevice: () => s.block }) });
    } else read.resolve({ path: read.path, reason: m.skip, detail: m.detail });
  });

  return {
    answered,
    mode: () => (failed ? 'pool' : online ? 'worker' : 'starting'),
    read(path, maxBytes) {
      // Until the worker runs (it starts while the first files are read), and after it failed.
      if (!online || failed) return viaPool(path, maxBytes);
      return new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, { path, maxBytes, resolve });
        worker.postMessage({ id, path, maxBytes });
      });
    },
    async close() {
      failed = true;
      for (const [id, read] of pending) {
        pending.delete(id);
        read.resolve({ path: read.path, reason: 'unreadable', detail: 'the ingestion ended before this file was read' });
      }
      await worker.terminate();
    },
  };
}
