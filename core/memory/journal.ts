import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

/**
 * The memory journal: one JSON record per line, append-only, replayed into memory at start.
 * It is the source of truth; the LanceDB tables are indexes rebuilt from it.
 *
 * Crash safety: a record is one `write()` of a whole line, so a `kill -9` loses at most the
 * record being written (the kernel keeps what was written); the records that matter for power
 * loss (the user message, the end of a turn, facts, deletes) are also fdatasync'ed. A torn or
 * corrupted line is skipped on replay with a warning; the lines around it are kept.
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
  /** Appends records in order (one write); `sync` also waits for fdatasync. Rejects on I/O errors. */
  append(records: JournalRecord[], options?: { sync?: boolean }): Promise<void>;
  close(): Promise<void>;
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
export async function openJournal(path: string): Promise<{ journal: Journal | null; records: JournalRecord[]; corrupt: CorruptLine[]; writeError: NodeJS.ErrnoException | null }> {
  let text = '';
  let readError: NodeJS.ErrnoException | null = null;
  try {
    text = await readIfPresent(path);
  } catch (err) {
    readError = err as NodeJS.ErrnoException;
  }
  const { records, corrupt } = parseJournal(text);
  if (readError) return { journal: null, records, corrupt, writeError: readError };
  let handle: FileHandle;
  try {
    await mkdir(dirname(path), { recursive: true });
    handle = await open(path, 'a', 0o600);
    // A line torn by a crash must not swallow the next record: start a fresh line.
    if (text && !text.endsWith('\n')) await handle.write('\n');
  } catch (err) {
    return { journal: null, records, corrupt, writeError: err as NodeJS.ErrnoException };
  }
  return { journal: createJournalWriter(path, handle), records, corrupt, writeError: null };
}

function createJournalWriter(path: string, handle: FileHandle): Journal {
  // One chain of writes: records land in the order they were appended, and close waits for all.
  // Syncs are not on that chain: a write never waits for an earlier record's fdatasync, and the
  // records that ask for one while a sync is being scheduled share it (group commit).
  let chain: Promise<void> = Promise.resolve();
  let syncs = new Set<Promise<void>>();
  let nextSync: Promise<void> | null = null;
  let closed = false;
  const syncSoon = (): Promise<void> => {
    nextSync ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      nextSync = null;
      return handle.datasync();
    });
    const sync = nextSync;
    syncs.add(sync);
    void sync.catch(() => {}).finally(() => syncs.delete(sync));
    return sync;
  };
  return {
    path,
    append(records, options) {
      if (closed) return Promise.reject(new Error(`memory journal ${path} is closed`));
      const text = records.map((r) => JSON.stringify(r) + '\n').join('');
      const written = chain.then(async () => {
        await handle.write(text);
      });
      chain = written.catch(() => {});
      return options?.sync ? written.then(syncSoon) : written;
    },
    async close() {
      if (closed) return;
      closed = true;
      await chain;
      await Promise.allSettled([...syncs]);
      syncs = new Set();
      await handle.close().catch(() => {});
    },
  };
}
