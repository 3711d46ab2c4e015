import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Tracer } from '@opentelemetry/api';
import { BrunoError } from '../common/errors';
import type { ConversationDetail, ConversationsChanged, ConversationSummary, MemoryStatus } from '../common/memory';
import type { Embed } from '../llm';
import type { Logger } from '../telemetry/logging';
import type { ConversationStore } from './conversation-store';
import type { FactIndex } from './fact-index';
import { createFactMemory, type FactMemory } from './fact-memory';
import type { JournalOptions } from './journal';
import type { JournalFs } from './journal-fs';
import { createJournalPersistence, type Opened } from './journal-persistence';
import { noopMemoryMetrics, type MemoryMetrics } from './memory-metrics';
import { summaryOf } from './memory-state';
import { byScoreThenRecency, conversationMatcher } from './search-conversations';
import { createTurnRecording } from './turn-recording';

export { buildMemorySystemMessage, memoryRecallSpanName, type RecallInput, type RecallResult, type TurnMemory } from './fact-memory';

export interface MemoryStoreDeps {
  dataDir: string;
  /** The LanceDB store (a folder or a bucket URI) the facts table lives in. */
  storeUri: string;
  embed: Embed;
  embedModel: () => string;
  tracer: Tracer;
  metrics?: MemoryMetrics;
  logger: Logger;
  /** Told about problems the operator should see (unwritable data dir, corrupted journal line). */
  warn: (message: string, detail?: unknown) => void;
  onChange?: (change: ConversationsChanged) => void;
  /** How often a streaming answer is flushed to the journal (default 500 ms). */
  flushIntervalMs?: number;
  /** The journal's sync interval; a test seam for its fdatasync. */
  journal?: JournalOptions;
  /** Test seam: the journal's reads, and the writes and renames of its compaction. */
  journalFs?: JournalFs;
  /** Top-k facts above a cosine similarity; a recall gives up after timeoutMs (default 15 s). */
  recall?: { topK?: number; minSimilarity?: number; timeoutMs?: number };
  /** Test seam: a store that cannot be opened, a slow one. */
  openFactIndex?: (uri: string) => Promise<FactIndex>;
  newId?: () => string;
  clockIso?: () => string;
}

export interface MemoryStore extends Omit<FactMemory, 'close'> {
  readonly conversations: ConversationStore;
  listConversations(input: { query?: string | undefined; limit?: number | undefined }): Promise<ConversationSummary[]>;
  getConversation(conversationId: string): Promise<ConversationDetail>;
  renameConversation(conversationId: string, title: string): Promise<ConversationSummary>;
  deleteConversation(conversationId: string): Promise<{ deleted: boolean }>;
  status(): Promise<MemoryStatus>;
  close(): Promise<void>;
}

export function memoryJournalPath(dataDir: string): string {
  return join(dataDir, 'memory', 'journal.jsonl');
}

/**
 * Episodic, semantic and procedural memory over one append-only journal (the truth, replayed at
 * start; journal-persistence.ts) and a LanceDB facts table (vectors for recall, rebuilt from the
 * journal when needed; fact-memory.ts). Turns are recorded by turn-recording.ts. Storage opens on
 * first use, so creating it costs nothing. Storage trouble degrades to memory that lives as long
 * as the process, with one clear error, and never fails a chat.
 */
export function createMemoryStore(deps: MemoryStoreDeps): MemoryStore {
  const metrics = deps.metrics ?? noopMemoryMetrics;
  const clockIso = deps.clockIso ?? (() => new Date().toISOString());
  const log = deps.logger;
  const persistence = createJournalPersistence({ path: memoryJournalPath(deps.dataDir), journal: deps.journal, fs: deps.journalFs, metrics, logger: log, warn: deps.warn });
  const { open, persist } = persistence;
  let closing: Promise<void> | null = null;

  const changed = (conversationId: string, change: ConversationsChanged['change']) => {
    try {
      deps.onChange?.({ conversationId, change });
    } catch (err) {
      log.warn('conversation change listener failed', { error: (err as Error).message });
    }
  };

  const facts = createFactMemory({
    persistence,
    storeUri: deps.storeUri,
    embed: deps.embed,
    embedModel: deps.embedModel,
    tracer: deps.tracer,
    metrics,
    logger: log,
    warn: deps.warn,
    recall: deps.recall,
    openFactIndex: deps.openFactIndex,
    newId: deps.newId ?? randomUUID,
    clockIso,
  });

  const conversations = createTurnRecording({ persistence, metrics, flushIntervalMs: deps.flushIntervalMs ?? 500, clockIso, changed });

  const findConversation = async (opened: Opened, conversationId: string) => {
    const conv = await opened.catalog.read(conversationId);
    if (!conv) throw new BrunoError('not_found', `No conversation '${conversationId}' (it may have been deleted)`);
    return conv;
  };

  /** Every conversation is read (those on disk a batch at a time, none kept); only hits' summaries stay. */
  const search = async (opened: Opened, query: string, max: number): Promise<ConversationSummary[]> => {
    const match = conversationMatcher(query);
    if (!match) return [];
    const hits: { summary: ConversationSummary; score: number; updatedAt: string }[] = [];
    await opened.catalog.visit((conv) => {
      const hit = match(conv);
      if (hit) hits.push({ summary: summaryOf(conv, hit.snippet), score: hit.score, updatedAt: conv.updatedAt });
    });
    return hits
      .sort(byScoreThenRecency)
      .slice(0, max)
      .map((h) => h.summary);
  };

  return {
    conversations,
    prepare: facts.prepare,
    listMemories: facts.listMemories,
    addMemory: facts.addMemory,
    deleteMemory: facts.deleteMemory,

    async listConversations({ query, limit }) {
      const opened = await open();
      const max = limit ?? 50;
      metrics.operation('read', 'episodic');
      if (!query?.trim()) return opened.catalog.summaries().sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, max);
      const started = performance.now();
      const hits = await search(opened, query, max);
      metrics.retrieval('episodic', (performance.now() - started) / 1000);
      return hits;
    },

    async getConversation(conversationId) {
      const opened = await open();
      const conv = await findConversation(opened, conversationId);
      metrics.operation('read', 'episodic');
      return { ...summaryOf(conv), messages: conv.messages.map((m) => ({ ...m, sources: [...m.sources] })) };
    },

    async renameConversation(conversationId, title) {
      const opened = await open();
      if (!opened.catalog.has(conversationId)) await findConversation(opened, conversationId);
      await persist(opened, [{ t: 'rename', c: conversationId, title: title.trim(), at: clockIso() }], 'wait');
      metrics.operation('write', 'episodic');
      changed(conversationId, 'renamed');
      return summaryOf(await findConversation(opened, conversationId));
    },

    async deleteConversation(conversationId) {
      const opened = await open();
      const summary = opened.catalog.summary(conversationId);
      if (!summary) return { deleted: false };
      await persist(opened, [{ t: 'delconv', c: conversationId, at: clockIso() }], 'wait');
      metrics.operation('delete', 'episodic', Math.max(1, summary.messageCount));
      changed(conversationId, 'deleted');
      return { deleted: true };
    },

    async status() {
      const opened = await open();
      return { persistent: opened.journal !== null, journalPath: persistence.path, problem: persistence.problem(), entries: persistence.counts(opened) };
    },

    async close() {
      if (closing) return closing;
      closing = (async () => {
        await persistence.close();
        await facts.close();
      })();
      return closing;
    },
  };
}
