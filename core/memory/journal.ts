import { close as closeFd, fdatasync, open as openFd } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { writeWholeSync } from '../fs/write-whole';

/**
 * The memory journal: one JSON record per line, append-only, replayed into memory at start.
 * It is the source of truth; the LanceDB tables are indexes rebuilt from it.
 *
 * Crash safety: a record is one `write()` of a whole line, made before `append` returns, so a
 * `kill -9` loses nothing appended (the kernel keeps what was written); the records that matter
 * for power loss (the user message, the end of a turn, facts, deletes) are also fdatasync'ed,
 * within `syncIntervalMs` (100 ms) of being written. A torn or corrupted line is skipped on replay
 * with a warning; the lines around it are kept.
 *
 * The write is synchronous, as the log file's lines are (logging/rotating-file.ts): a record is a
 * few KB into the page cache, about 15 us, where an asynchronous write costs three times the CPU
 * and two thread hand-offs. The fdatasync, which waits for the disk, runs on the thread pool.
 */
const id = z.string().min(1).max(200);
const at = z.string();
const status = z.enum(['streaming', 'done', 'stopped', 'error', 'interrupted']);
const source = z.object({ n: z.number(), path: z.string(), heading: z.string().nullable(), snippet: z.string() });
/** A tool call as the turn's end keeps it (ToolCallView). */
const toolCall = z.object({
  id: z.string(),
  name: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  status: z.enum(['running', 'awaiting_approval', 'ok', 'error', 'denied']),
  result: z.string().optional(),
  truncated: z.boolean().optional(),
  durationMs: z.number().optional(),
});

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
    /** Absent in journals written before tools existed, and for turns without tool calls. */
    tools: z.array(toolCall).optional(),
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
   * Appends records in order, as one write, before it returns (a crash of this process loses
   * nothing from then on); throws when that write fails or the journal is closed. With `sync`, the
   * promise resolves once they are also fdatasync'ed (a power cut loses nothing either) and
   * rejects if that fails; without, it is already resolved.
   */
  append(records: JournalRecord[], options?: { sync?: boolean }): Promise<void>;
  close(): Promise<void>;
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
    if (text && !text.endsWith('\n')) writeWholeSync(fd, '\n');
  } catch (err) {
    await closeQuietly(fd);
    return { journal: null, records, corrupt, writeError: err as NodeJS.ErrnoException };
  }
  return { journal: createJournalWriter(path, fd, options.syncIntervalMs ?? 100, options.syncData ?? syncData), records, corrupt, writeError: null };
}

// The callback form on a plain fd: a third of the CPU of FileHandle's promise API.
function syncData(fd: number): Promise<void> {
  return new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

function closeQuietly(fd: number): Promise<void> {
  return new Promise<void>((resolve) => closeFd(fd, () => resolve()));
}

function createJournalWriter(path: string, fd: number, syncIntervalMs: number, syncFd: (fd: number) => Promise<void>): Journal {
  // Records that ask for a sync while one is scheduled share it (group commit), and syncs are at
  // least syncIntervalMs apart, so a burst of turns costs one sync per interval, not two per turn.
  // A sync covers every record written before it starts.
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
        return syncFd(fd);
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
      if (closed) throw new Error(`memory journal ${path} is closed`);
      writeWholeSync(fd, records.map((r) => JSON.stringify(r) + '\n').join(''));
      return options?.sync ? syncSoon() : Promise.resolve();
    },
    async close() {
      if (closed) return;
      closed = true;
      // A sync still waiting for its interval is waited for (at most syncIntervalMs), never dropped.
      await Promise.allSettled([...pending]);
      pending = new Set();
      await closeQuietly(fd);
    },
  };
}
