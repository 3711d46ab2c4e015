import { BrunoError } from '../common/errors';
import type { ConversationSummary } from '../common/memory';
import { journalRecord } from './journal';
import type { JournalFs } from './journal-fs';
import { conversationFromSnapshot, summaryOf, type ConversationState, type MemoryState } from './memory-state';

/** A conversation that lives on disk only: what lists show, and where its snapshot line is. */
export interface DiskConversation {
  summary: ConversationSummary;
  offset: number;
  length: number;
}

/**
 * Every conversation, without holding them all in memory. A conversation is either in the state
 * (changed since the journal was last compacted, or memory is not persistent: the state is then
 * its truth) or on disk only, as one snapshot line read when it is opened. A few opened ones are
 * cached. Lists and counts come from summaries, so a big store opens without reading messages.
 */
export interface ConversationCatalog {
  has(id: string): boolean;
  summaries(): ConversationSummary[];
  summary(id: string): ConversationSummary | undefined;
  messageCount(): number;
  /** The conversation for reading (do not change it); undefined when there is none. */
  read(id: string): Promise<ConversationState | undefined>;
  /** Moves a conversation on disk into the state, so records can be applied to it. */
  materialize(id: string): Promise<void>;
  onDiskOnly(id: string): boolean;
  forget(id: string): void;
  /** Visits every conversation, reading those on disk in file order (for search). */
  visit(each: (conv: ConversationState) => void): Promise<void>;
  /** After a compaction: everything is on disk, in the new file. */
  replaceDisk(entries: Map<string, DiskConversation>): void;
}

export interface CatalogDeps {
  path: string;
  state: MemoryState;
  disk: Map<string, DiskConversation>;
  fs: JournalFs;
  /** How many opened conversations stay cached (default 16). */
  cacheSize?: number;
}

const visitBatch = 64;

export function createConversationCatalog(deps: CatalogDeps): ConversationCatalog {
  const { path, state, fs } = deps;
  let disk = deps.disk;
  const cacheSize = deps.cacheSize ?? 16;
  const cache = new Map<string, ConversationState>();
  const loading = new Map<string, Promise<ConversationState>>();

  const parse = (id: string, bytes: Buffer): ConversationState => {
    let parsed: ReturnType<typeof journalRecord.safeParse>;
    try {
      parsed = journalRecord.safeParse(JSON.parse(bytes.toString('utf8')));
    } catch (err) {
      parsed = { success: false, error: err } as ReturnType<typeof journalRecord.safeParse>;
    }
    if (!parsed.success || parsed.data.t !== 'snap' || parsed.data.conv.id !== id) {
      throw new BrunoError('internal', `Conversation '${id}' could not be read back from ${path} (the file was changed by something else); restart the app to read the journal again`);
    }
    return conversationFromSnapshot(parsed.data);
  };

  const load = (id: string, entry: DiskConversation): Promise<ConversationState> => {
    let pending = loading.get(id);
    if (!pending) {
      pending = fs
        .readRanges(path, [entry])
        .then(([bytes]) => parse(id, bytes!))
        .finally(() => loading.delete(id));
      loading.set(id, pending);
    }
    return pending;
  };

  const remember = (conv: ConversationState) => {
    cache.delete(conv.id);
    cache.set(conv.id, conv);
    while (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
  };

  return {
    has: (id) => state.conversations.has(id) || disk.has(id),
    summaries() {
      const out: ConversationSummary[] = [];
      for (const conv of state.conversations.values()) out.push(summaryOf(conv));
      for (const entry of disk.values()) out.push(entry.summary);
      return out;
    },
    summary(id) {
      const live = state.conversations.get(id);
      return live ? summaryOf(live) : disk.get(id)?.summary;
    },
    messageCount() {
      let n = 0;
      for (const conv of state.conversations.values()) n += conv.messages.length;
      for (const entry of disk.values()) n += entry.summary.messageCount;
      return n;
    },
    async read(id) {
      const live = state.conversations.get(id);
      if (live) return live;
      const cached = cache.get(id);
      if (cached) {
        remember(cached);
        return cached;
      }
      const entry = disk.get(id);
      if (!entry) return undefined;
      const conv = await load(id, entry);
      // Deleted or changed while it was read: the state's answer wins.
      if (disk.get(id) !== entry) return state.conversations.get(id);
      remember(conv);
      return conv;
    },
    async materialize(id) {
      const entry = disk.get(id);
      if (!entry || state.conversations.has(id)) return;
      const conv = cache.get(id) ?? (await load(id, entry));
      if (disk.get(id) !== entry || state.conversations.has(id)) return;
      disk.delete(id);
      cache.delete(id);
      state.conversations.set(id, conv);
    },
    onDiskOnly: (id) => disk.has(id) && !state.conversations.has(id),
    forget(id) {
      disk.delete(id);
      cache.delete(id);
    },
    async visit(each) {
      for (const conv of state.conversations.values()) each(conv);
      const entries = [...disk.entries()].sort((a, b) => a[1].offset - b[1].offset);
      for (let i = 0; i < entries.length; i += visitBatch) {
        const batch = entries.slice(i, i + visitBatch);
        const bytes = await fs.readRanges(path, batch.map(([, e]) => e));
        batch.forEach(([id, entry], j) => {
          // Skip what changed while the batch was read (it is in the state now, or gone).
          if (disk.get(id) !== entry) return;
          const cached = cache.get(id);
          if (cached) return each(cached);
          // A search reads every snapshot: parsed, not checked field by field (a third of the
          // time); it only reads text. A damaged one is left out of the search, not fatal.
          let conv: ConversationState;
          try {
            conv = (JSON.parse(bytes[j]!.toString('utf8')) as { conv: ConversationState }).conv;
            if (conv.id !== id || !Array.isArray(conv.messages)) return;
          } catch {
            return;
          }
          try {
            each(conv);
          } catch {
            // A snapshot of the wrong shape (edited by hand): not part of the answer.
          }
        });
      }
    },
    replaceDisk(entries) {
      disk = entries;
      cache.clear();
    },
  };
}
