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
const errorInfo = z.object({ code: z.string(), message: z.string() });
const message = z.object({
  id,
  turnId: id,
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  createdAt: at,
  status,
  model: z.string().nullable(),
  stats: z.record(z.string(), z.unknown()).nullable(),
  sources: z.array(source),
  traceId: z.string().nullable(),
  error: errorInfo.nullable(),
  toolCalls: z.array(toolCall).optional(),
});

export type JournalRecord = z.infer<typeof journalRecord>;
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
    error: errorInfo.nullable(),
    /** Absent in journals written before tools existed, and for turns without tool calls. */
    tools: z.array(toolCall).optional(),
    at,
  }),
  z.object({ t: z.literal('rename'), c: id, title: z.string(), at }),
  z.object({ t: z.literal('delconv'), c: id, at }),
  z.object({ t: z.literal('fact'), id, kind: z.enum(['semantic', 'procedural']), text: z.string(), source: z.enum(['chat', 'user']), c: id.nullable(), at }),
  z.object({ t: z.literal('delfact'), id, at }),
  /**
   * A whole conversation in one line, as compaction writes it (journal-compaction.ts): the journal
   * after a compaction is snapshots and facts, so opening a conversation is one read of one line.
   */
  z.object({ t: z.literal('snap'), conv: z.object({ id, title: z.string(), createdAt: at, updatedAt: at, messages: z.array(message) }) }),
  /**
   * What a list shows of the conversation whose snapshot is the next line: a start reads these
   * and skips the snapshots (they are parsed and checked when the conversation is opened).
   */
  z.object({ t: z.literal('head'), c: id, title: z.string(), createdAt: at, updatedAt: at, messageCount: z.number().int().nonnegative(), snippet: z.string() }),
]);
export type HeadRecord = Extract<JournalRecord, { t: 'head' }>;

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

/**
 * One line of the journal that holds a record, and where its bytes are; or a snapshot line after
 * its head, left unparsed (`snapshot` is the head).
 */
export type ScannedLine = { record: JournalRecord; snapshot?: undefined; offset: number; length: number } | { record?: undefined; snapshot: HeadRecord; offset: number; length: number };

const snapPrefix = Buffer.from('{"t":"snap",');

/**
 * Parses a journal's bytes line by line; bad lines are reported and skipped, never fatal. A
 * line's offset and length are in bytes, so a snapshot can be read back later with one pread.
 * With `lazy` (the default), a snapshot line right after its head line is not parsed at all.
 */
export function scanJournal(bytes: Buffer, lazy = true): { lines: ScannedLine[]; corrupt: CorruptLine[] } {
  const lines: ScannedLine[] = [];
  const corrupt: CorruptLine[] = [];
  let start = 0;
  let head: HeadRecord | null = null;
  for (let n = 1; start < bytes.length; n++) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    const offset = start;
    start = end + 1;
    if (head && end - offset > snapPrefix.length && bytes.compare(snapPrefix, 0, snapPrefix.length, offset, offset + snapPrefix.length) === 0) {
      lines.push({ snapshot: head, offset, length: end - offset });
      head = null;
      continue;
    }
    head = null;
    const line = bytes.toString('utf8', offset, end);
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      corrupt.push({ line: n, reason: `not JSON (${(err as Error).message})` });
      continue;
    }
    const parsed = journalRecord.safeParse(value);
    if (!parsed.success) corrupt.push({ line: n, reason: `not a journal record (${parsed.error.issues[0]?.message ?? 'invalid'})` });
    else if (parsed.data.t === 'head' && lazy) head = parsed.data;
    else lines.push({ record: parsed.data, offset, length: end - offset });
  }
  return { lines, corrupt };
}

/** Parses a journal's text; bad lines are reported and skipped, never fatal. */
export function parseJournal(text: string): { records: JournalRecord[]; corrupt: CorruptLine[] } {
  const { lines, corrupt } = scanJournal(Buffer.from(text, 'utf8'), false);
  return { records: lines.flatMap((l) => l.record ?? []), corrupt };
}

/** The journal's bytes, empty when there is none yet. */
export async function readJournalBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw err;
  }
}

/**
 * Reads what the journal holds, then opens it for appending. `records` is what could be read even
 * when opening for writing fails (a read-only data dir still shows its history): then `journal`
 * is null and `writeError` says why.
 */
export async function openJournal(path: string, options: JournalOptions = {}): Promise<{ journal: Journal | null; records: JournalRecord[]; corrupt: CorruptLine[]; writeError: NodeJS.ErrnoException | null }> {
  let bytes: Buffer;
  try {
    bytes = await readJournalBytes(path);
  } catch (err) {
    return { journal: null, records: [], corrupt: [], writeError: err as NodeJS.ErrnoException };
  }
  const { lines, corrupt } = scanJournal(bytes);
  const opened = await openJournalWriter(path, options, bytes.length > 0 && bytes[bytes.length - 1] !== 10);
  return { ...opened, records: lines.flatMap((l) => l.record ?? []), corrupt };
}

/** Opens the journal for appending; `tornTail`: its last line has no newline (a crash mid-write). */
export async function openJournalWriter(path: string, options: JournalOptions, tornTail: boolean): Promise<{ journal: Journal | null; writeError: NodeJS.ErrnoException | null }> {
  let fd: number;
  try {
    await mkdir(dirname(path), { recursive: true });
    fd = await new Promise<number>((resolve, reject) => openFd(path, 'a', 0o600, (err, opened) => (err ? reject(err) : resolve(opened))));
  } catch (err) {
    return { journal: null, writeError: err as NodeJS.ErrnoException };
  }
  try {
    // A line torn by a crash must not swallow the next record: start a fresh line.
    if (tornTail) writeWholeSync(fd, '\n');
  } catch (err) {
    await closeQuietly(fd);
    return { journal: null, writeError: err as NodeJS.ErrnoException };
  }
  return { journal: createJournalWriter(path, fd, options.syncIntervalMs ?? 100, options.syncData ?? syncData), writeError: null };
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
