import type { MemoryType } from '../common/memory';
import type { Logger } from '../telemetry/logging';
import { createConversationCatalog, type ConversationCatalog, type DiskConversation } from './conversation-catalog';
import { journalRecord, openJournalWriter, scanJournal, type CorruptLine, type Journal, type JournalOptions, type JournalRecord } from './journal';
import { compactJournal, journalBackupPath, type CompactionResult } from './journal-compaction';
import { nodeJournalFs, type JournalFs } from './journal-fs';
import type { MemoryMetrics } from './memory-metrics';
import { applyRecord, conversationFromSnapshot, emptyMemoryState, markInterrupted, summaryOf, summaryOfHead, type MemoryState } from './memory-state';

/**
 * The replayed memory: facts and the conversations changed since the last compaction in `state`,
 * every conversation through `catalog`, and the journal they are appended to (null once memory
 * lives in memory only).
 */
export interface Opened {
  state: MemoryState;
  catalog: ConversationCatalog;
  journal: Journal | null;
}

export type SyncMode = 'none' | 'background' | 'wait';

/**
 * The journal as the store uses it: opened (read, replayed and compacted) on first use, records
 * applied to the state and appended, storage trouble turned into memory-only with one clear problem.
 */
export interface JournalPersistence {
  readonly path: string;
  open(): Promise<Opened>;
  /**
   * Applies records to the state at once (a conversation on disk is read into the state first),
   * then appends them. Resolves once they are written ('wait': once also synced to disk;
   * 'background': the sync follows, and close() waits for it). A failed write or sync degrades to
   * memory-only and does not reject; only a conversation that cannot be read back rejects.
   */
  persist(opened: Opened, records: JournalRecord[], sync: SyncMode): Promise<void>;
  /** Keeps a promise for close() to wait for. */
  track<T>(promise: Promise<T>): Promise<T>;
  /** Why memory is not persistent or degraded (the first reason), or null. */
  problem(): string | null;
  /** Records a problem unless one is already known. */
  noteProblem(message: string): void;
  counts(opened: Opened): Record<MemoryType, number>;
  /** Waits for writes and syncs in flight, then closes the journal. */
  close(): Promise<void>;
}

export interface JournalPersistenceDeps {
  path: string;
  journal?: JournalOptions | undefined;
  /** Test seam: the reads and the compaction's writes and renames. */
  fs?: JournalFs | undefined;
  metrics: MemoryMetrics;
  logger: Logger;
  warn: (message: string, detail?: unknown) => void;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One sentence about every damaged line: how many, of which kind, where. */
function describeDamage(corrupt: CorruptLine[]): string {
  const notJson = corrupt.filter((c) => c.reason.startsWith('not JSON')).length;
  const where = corrupt.slice(0, 5).map((c) => c.line).join(', ') + (corrupt.length > 5 ? ', ...' : '');
  return `${plural(corrupt.length, 'damaged line')} (${notJson} not JSON, ${corrupt.length - notJson} not a journal record; line ${where})`;
}

/** A snapshot line read back, checked; null when it is damaged. */
export function parseSnapshot(bytes: Buffer): Extract<JournalRecord, { t: 'snap' }> | null {
  try {
    const parsed = journalRecord.safeParse(JSON.parse(bytes.toString('utf8')));
    return parsed.success && parsed.data.t === 'snap' ? parsed.data : null;
  } catch {
    return null;
  }
}

const lineAt = (bytes: Buffer, offset: number) => {
  let n = 1;
  for (let i = bytes.indexOf(10); i >= 0 && i < offset; i = bytes.indexOf(10, i + 1)) n++;
  return n;
};

const conversationOf = (record: JournalRecord): string | null => ('c' in record && record.t !== 'fact' ? record.c : null);

export function createJournalPersistence(deps: JournalPersistenceDeps): JournalPersistence {
  const { path, metrics, logger: log, warn } = deps;
  const fs = deps.fs ?? nodeJournalFs;
  let problem: string | null = null;
  let opening: Promise<Opened> | null = null;
  let closed = false;
  const inFlight = new Set<Promise<unknown>>();

  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => {});
    return promise;
  };

  const counts = (opened: Opened): Record<MemoryType, number> => {
    let semantic = 0;
    let procedural = 0;
    for (const f of opened.state.facts.values()) {
      if (f.type === 'semantic') semantic++;
      else procedural++;
    }
    return { episodic: opened.catalog.messageCount(), semantic, procedural };
  };

  const cannotWrite = (err: NodeJS.ErrnoException) => {
    problem = `Cannot write conversations to ${path} (${err.code ?? 'error'}: ${err.message}). Conversations and memories are kept in memory only until the app quits; make the data dir writable (or set BRUNO_DATA_DIR) to keep them.`;
    log.error(problem, { path, code: err.code });
    warn(problem);
  };

  const open = (): Promise<Opened> => {
    opening ??= (async () => {
      const started = performance.now();
      const state = emptyMemoryState();
      let bytes: Buffer = Buffer.alloc(0);
      let readError: NodeJS.ErrnoException | null = null;
      try {
        bytes = await fs.readFile(path);
      } catch (err) {
        readError = err as NodeJS.ErrnoException;
      }
      const { lines, corrupt } = scanJournal(bytes);
      // Snapshots stay on disk (a summary and where the line is); a conversation with records
      // after its snapshot is read into the state, which replays them.
      let disk = new Map<string, DiskConversation>();
      let loose = 0;
      for (const { record, snapshot, offset, length } of lines) {
        if (snapshot) {
          state.conversations.delete(snapshot.c);
          disk.set(snapshot.c, { summary: summaryOfHead(snapshot), offset, length });
          continue;
        }
        if (record.t === 'snap') {
          state.conversations.delete(record.conv.id);
          disk.set(record.conv.id, { summary: summaryOf(record.conv), offset, length });
          continue;
        }
        if (record.t !== 'fact') loose++;
        const c = conversationOf(record);
        const entry = c === null ? undefined : disk.get(c);
        if (c !== null && entry) {
          disk.delete(c);
          if (record.t !== 'delconv') {
            const snap = parseSnapshot(bytes.subarray(entry.offset, entry.offset + entry.length));
            if (snap) state.conversations.set(c, conversationFromSnapshot(snap));
            else corrupt.push({ line: lineAt(bytes, entry.offset), reason: 'not a journal record (a damaged conversation snapshot)' });
          }
        }
        applyRecord(state, record);
      }
      const interrupted = markInterrupted(state);

      let compacted: CompactionResult | null = null;
      let compactError: Error | null = null;
      if (!readError && (corrupt.length || loose)) {
        try {
          compacted = await compactJournal({ path, fs, bytes, state, disk });
          disk = compacted.disk;
          state.conversations.clear();
        } catch (err) {
          compactError = err as Error;
        }
      }
      const opened = readError ? { journal: null, writeError: readError } : await openJournalWriter(path, deps.journal ?? {}, !compacted && bytes.length > 0 && bytes[bytes.length - 1] !== 10);
      if (opened.writeError) cannotWrite(opened.writeError);
      if (corrupt.length) {
        // Said once: a compaction drops the damaged lines (the backup keeps them); without one they
        // are skipped again at the next start, and said again.
        warn(
          compacted
            ? `Memory journal ${path}: dropped ${describeDamage(corrupt)} while compacting it; everything else is kept. The journal before compaction is saved as ${journalBackupPath(path)}.`
            : `Memory journal ${path}: skipped ${describeDamage(corrupt)}; everything else is kept.${compactError && !opened.writeError ? ` Compacting it failed (${compactError.message}), so they are reported again at the next start.` : ''}`,
        );
      } else if (compactError && !opened.writeError) {
        log.warn('compacting the memory journal failed; it is kept as it was', { path, error: compactError.message });
      }
      if (lines.length || interrupted) {
        log.info('memory journal replayed', {
          path,
          records: lines.length,
          skipped: corrupt.length,
          interrupted_turns: interrupted,
          conversations: disk.size + state.conversations.size,
          compacted_bytes: compacted ? { before: bytes.length, after: compacted.bytes } : null,
          ms: Math.round(performance.now() - started),
        });
      }
      const catalog = createConversationCatalog({ path, state, disk, fs });
      const result: Opened = { state, catalog, journal: opened.journal };
      metrics.countEntriesWith(() => counts(result));
      return result;
    })();
    return opening;
  };

  /** A failed write or sync: from now on conversations and memories live in memory only. */
  const degrade = (opened: Opened, journal: Journal, err: unknown) => {
    if (opened.journal !== journal) return;
    opened.journal = null;
    problem = `Writing to ${path} failed (${(err as Error).message}). Conversations and memories are kept in memory only from now on.`;
    log.error(problem, { path });
    warn(problem);
    void journal.close();
  };

  const persist = async (opened: Opened, records: JournalRecord[], sync: SyncMode): Promise<void> => {
    for (const record of records) {
      const c = conversationOf(record);
      if (c !== null && record.t !== 'delconv' && opened.catalog.onDiskOnly(c)) await opened.catalog.materialize(c);
    }
    for (const record of records) {
      applyRecord(opened.state, record);
      if (record.t === 'delconv') opened.catalog.forget(record.c);
    }
    const journal = opened.journal;
    if (!journal || closed) return;
    let synced: Promise<void>;
    try {
      synced = journal.append(records, { sync: sync !== 'none' });
    } catch (err) {
      degrade(opened, journal, err);
      return;
    }
    if (sync === 'none') return;
    const settled = track(synced.catch((err: unknown) => degrade(opened, journal, err)));
    if (sync === 'wait') await settled;
  };

  return {
    path,
    open,
    persist,
    track,
    problem: () => problem,
    noteProblem(message) {
      problem ??= message;
    },
    counts,
    async close() {
      if (closed) return;
      await Promise.allSettled([...inFlight]);
      closed = true;
      if (!opening) return;
      const opened = await opening.catch(() => null);
      await opened?.journal?.close();
    },
  };
}
