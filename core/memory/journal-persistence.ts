import type { MemoryType } from '../common/memory';
import type { Logger } from '../telemetry/logging';
import { openJournal, type Journal, type JournalOptions, type JournalRecord } from './journal';
import type { MemoryMetrics } from './memory-metrics';
import { applyRecord, emptyMemoryState, markInterrupted, messageCount, type MemoryState } from './memory-state';

/** The replayed state and the journal it is appended to (null once memory lives in memory only). */
export interface Opened {
  state: MemoryState;
  journal: Journal | null;
}

export type SyncMode = 'none' | 'background' | 'wait';

/**
 * The journal as the store uses it: opened (and replayed) on first use, records applied to the
 * state and appended, storage trouble turned into memory-only with one clear problem.
 */
export interface JournalPersistence {
  readonly path: string;
  open(): Promise<Opened>;
  /**
   * Applies records to the state at once, then appends them. Resolves once they are written
   * ('wait': once also synced to disk; 'background': the sync follows, and close() waits for it).
   * Never rejects: a failed write or sync degrades to memory-only.
   */
  persist(opened: Opened, records: JournalRecord[], sync: SyncMode): Promise<void>;
  /** Keeps a promise for close() to wait for. */
  track<T>(promise: Promise<T>): Promise<T>;
  /** Why memory is not persistent or degraded (the first reason), or null. */
  problem(): string | null;
  /** Records a problem unless one is already known. */
  noteProblem(message: string): void;
  counts(state: MemoryState): Record<MemoryType, number>;
  /** Waits for writes and syncs in flight, then closes the journal. */
  close(): Promise<void>;
}

export interface JournalPersistenceDeps {
  path: string;
  journal?: JournalOptions | undefined;
  metrics: MemoryMetrics;
  logger: Logger;
  warn: (message: string, detail?: unknown) => void;
}

export function createJournalPersistence(deps: JournalPersistenceDeps): JournalPersistence {
  const { path, metrics, logger: log, warn } = deps;
  let problem: string | null = null;
  let opening: Promise<Opened> | null = null;
  let closed = false;
  const inFlight = new Set<Promise<unknown>>();

  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => {});
    return promise;
  };

  const counts = (state: MemoryState): Record<MemoryType, number> => {
    let semantic = 0;
    let procedural = 0;
    for (const f of state.facts.values()) {
      if (f.type === 'semantic') semantic++;
      else procedural++;
    }
    return { episodic: messageCount(state), semantic, procedural };
  };

  const open = (): Promise<Opened> => {
    opening ??= (async () => {
      const state = emptyMemoryState();
      const { journal, records, corrupt, writeError } = await openJournal(path, deps.journal);
      for (const record of records) applyRecord(state, record);
      const interrupted = markInterrupted(state);
      for (const bad of corrupt) {
        warn(`Memory journal ${path} line ${bad.line} is damaged (${bad.reason}); skipped it, the other records are kept`);
      }
      if (writeError) {
        problem = `Cannot write conversations to ${path} (${writeError.code ?? 'error'}: ${writeError.message}). Conversations and memories are kept in memory only until the app quits; make the data dir writable (or set BRUNO_DATA_DIR) to keep them.`;
        log.error(problem, { path, code: writeError.code });
        warn(problem);
      }
      if (records.length || interrupted) log.info('memory journal replayed', { path, records: records.length, skipped: corrupt.length, interrupted_turns: interrupted });
      metrics.countEntriesWith(() => counts(state));
      return { state, journal };
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
    for (const record of records) applyRecord(opened.state, record);
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
