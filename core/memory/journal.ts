import { close as closeFd, fdatasync, open as openFd, write } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

/**
 * The memory journal: one JSON record per line, append-only, replayed into memory at start.
 * It is the source of truth; the LanceDB tables are indexes rebuilt from it.
 *
 * Crash safety: a record is one `write()` of a whole line, so a `kill -9` loses at most the
 * record being written (the kernel keeps what was written); the records that matter for power
 * loss (the user message, the end of a turn, facts, deletes) are also fdatasync'ed, within
 * `syncIntervalMs` (100 ms) of being written. A torn or corrupted line is skipped on replay with a
 * warning; the lines around it are kept.
 */
const id = z.string().min(1).max(200);
const at = z.string();
const status = z.enum(['streaming', 'done', 'stopped', 'error', 'interrupted']);
const source = z.object({ n: z.number(), path: z.string(), heading: z.string().nullable(), snippet: z.string() });

export const journalRecord = z.discriminatedUnion('t', [
  z.object({ t: z.literal('conv'), c: id, title: z.string(), at }),
  z.object({ t: z.literal('msg'), c: id, id, turnId: id, content: z.string(), model: z.string().nullable(), at }),
  /** More of a streaming answer (appended to what was flushed before). */
  z.object({ t: z.literal('delta'), c: id, id, turnId: id, text: z.string(), at }),
  /** The final state of a turn: the whole answer again, so deltas are only needed after a crash. */
  z.object({
    t: z.literal('end'),
    c: id,
    id,
    turnId: id,
    status,
    content: z.string(),
    model: z.string().nullable(),
    stats: z.record(z.string(), z.unknown()).nullable(),
    sources: z.array(source),
    traceId: z.string().nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    at,
  }),
  z.object({ t: z.literal('rename'), c: id, title: z.string(), at }),
  z.object({ t: z.literal('delconv'), c: id, at }),
  z.object({ t: z.literal('fact'), id, kind: z.enum(['semantic', 'procedural']), text: z.string(), source: z.enum(['chat', 'user']), c: id.nullable(), at }),
  z.object({ t: z.literal('delfact'), id, at }),
]);
export type JournalRecord = z.infer<typeof journalRecord>;

export interface CorruptLine {
  line: number;
  reason: string;
}

export interface Journal {
  readonly path: string;
  /**
   * Appends records in order, as one write. `written` resolves once the kernel has them (a crash
   * of this process loses nothing from then on); with `sync`, `durable` resolves once they are
   * also fdatasync'ed (a power cut loses nothing either), else it is `written`. Both reject on I/O
   * errors.
   */
  append(records: JournalRecord[], options?: { sync?: boolean }): Appended;
  close(): Promise<void>;
}

export interface Appended {
  written: Promise<void>;
  durable: Promise<void>;
}

export interface JournalOptions {
  /**
   * The least time between two fdatasyncs (default 100 ms). A sync asked for after a quiet spell
   * runs at once; in a burst, the records that ask within the window share one sync at its end.
   * A power cut can lose at most this long's records; a crash of the process loses none.
   */
  syncIntervalMs?: number;
  /** Test seam: the fdatasync call (to count syncs or make one fail). */
  syncData?: (fd: number) => Promise<void>;
}

/** Parses a journal's text; bad lines are reported and skipped, never fatal. */
export function parseJournal(text: string): { records: JournalRecord[]; corrupt: CorruptLine[] } {
  const records: JournalRecord[] = [];
  const corrupt: CorruptLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      corrupt.push({ line: i + 1, reason: `not JSON (${(err as Error).message})` });
      continue;
    }
    const parsed = journalRecord.safeParse(value);
    if (parsed.success) records.push(parsed.data);
    else corrupt.push({ line: i + 1, reason: `not a journal record (${parsed.error.issues[0]?.message ?? 'invalid'})` });
  }
  return { records, corrupt };
}

async function readIfPresent(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/**
 * Reads what the journal holds, then opens it for appending. `records` is what could be read even
 * when opening for writing fails (a read-only data dir still shows its history): then `journal`
 * is null and `writeError` says why.
 */
export async function openJournal(path: string, options: JournalOptions = {}): Promise<{ journal: Journal | null; records: JournalRecord[]; corrupt: CorruptLine[]; writeError: NodeJS.ErrnoException | null }> {
  let text = '';
  let readError: NodeJS.ErrnoException | null = null;
  try {
    text = await readIfPresent(path);
  } catch (err) {
    readError = err as NodeJS.ErrnoException;
  }
  const { records, corrupt } = parseJournal(text);
  if (readError) return { journal: null, records, corrupt, writeError: readError };
  let fd: number;
  try {
    await mkdir(dirname(path), { recursive: true });
    fd = await new Promise<number>((resolve, reject) => openFd(path, 'a', 0o600, (err, opened) => (err ? reject(err) : resolve(opened))));
  } catch (err) {
    return { journal: null, records, corrupt, writeError: err as NodeJS.ErrnoException };
  }
  try {
    // A line torn by a crash must not swallow the next record: start a fresh line.
    if (text && !text.endsWith('\n')) await writeAll(fd, '\n');
  } catch (err) {
    await closeQuietly(fd);
    return { journal: null, records, corrupt, writeError: err as NodeJS.ErrnoException };
  }
  return { journal: createJournalWriter(path, fd, options.syncIntervalMs ?? 100, options.syncData ?? syncData), records, corrupt, writeError: null };
}

// The callback forms of write and fdatasync on a plain fd: a record costs about a third of the CPU
// of FileHandle's promise API, and a chat turn appends two or three. The text is written as a
// string (encoded in C++, no Buffer to collect); the rare short write finishes from a Buffer.
function writeAll(fd: number, text: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    write(fd, text, null, 'utf8', (err, n) => {
      if (err) return reject(err);
      // n counts bytes: only a text with non-ASCII characters needs its byte length computed.
      if (n === text.length || n >= Buffer.byteLength(text)) return resolve();
      const bytes = Buffer.from(text);
      const rest = (offset: number) =>
        write(fd, bytes, offset, bytes.length - offset, null, (restErr, m) => {
          if (restErr) reject(restErr);
          else if (offset + m < bytes.length) rest(offset + m);
          else resolve();
        });
      rest(n);
    });
  });
}

function syncData(fd: number): Promise<void> {
  return new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

function closeQuietly(fd: number): Promise<void> {
  return new Promise<void>((resolve) => closeFd(fd, () => resolve()));
}

function createJournalWriter(path: string, fd: number, syncIntervalMs: number, syncFd: (fd: number) => Promise<void>): Journal {
  // One chain of writes: records land in the order they were appended, and close waits for all.
  // Syncs are not on that chain: a write never waits for an earlier record's fdatasync. Records
  // that ask for a sync while one is scheduled share it (group commit), and syncs are at least
  // syncIntervalMs apart, so a burst of turns costs one sync per interval, not two per turn.
  let chain: Promise<void> = Promise.resolve();
  let pending = new Set<Promise<void>>();
  let nextSync: Promise<void> | null = null;
  let lastSyncAt = -Infinity;
  let closed = false;
  const syncSoon = (): Promise<void> => {
    if (!nextSync) {
      const wait = Math.max(0, lastSyncAt + syncIntervalMs - performance.now());
      const sync = new Promise<void>((resolve) => (wait > 0 ? setTimeout(resolve, wait) : setImmediate(resolve))).then(() => {
        nextSync = null;
        lastSyncAt = performance.now();
        // The writes appended before the sync was due are the ones it must cover.
        return chain.then(() => syncFd(fd));
      });
      nextSync = sync;
      pending.add(sync);
      void sync.catch(() => {}).finally(() => pending.delete(sync));
    }
    return nextSync;
  };
  return {
    path,
    append(records, options) {
      if (closed) {
        const rejected = Promise.reject(new Error(`memory journal ${path} is closed`));
        void rejected.catch(() => {});
        return { written: rejected, durable: rejected };
      }
      const text = records.map((r) => JSON.stringify(r) + '\n').join('');
      const written = chain.then(() => writeAll(fd, text));
      chain = written.catch(() => {});
      const durable = options?.sync ? written.then(syncSoon) : written;
      void durable.catch(() => {});
      return { written, durable };
    },
    async close() {
      if (closed) return;
      closed = true;
      await chain;
      // A sync still waiting for its interval is waited for (at most syncIntervalMs), never dropped.
      await Promise.allSettled([...pending]);
      pending = new Set();
      await closeQuietly(fd);
    },
  };
}
