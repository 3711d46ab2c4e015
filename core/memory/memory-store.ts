import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ROOT_CONTEXT, SpanStatusCode, trace, type Context, type Tracer } from '@opentelemetry/api';
import { BrunoError, toErrorInfo } from '../common/errors';
import type { ConversationDetail, ConversationsChanged, ConversationSummary, MemoryEntry, MemoryStatus, MemoryType } from '../common/memory';
import type { Embed } from '../llm';
import type { Logger } from '../telemetry/logging';
import type { ConversationStore, TurnRecorder } from './conversation-store';
import { detectMemories } from './detect';
import { createMemoryFactIndex, openLanceFactIndex, type FactIndex } from './fact-index';
import { openJournal, type Journal, type JournalOptions, type JournalRecord } from './journal';
import { noopMemoryMetrics, type MemoryMetrics } from './memory-metrics';
import { applyRecord, emptyMemoryState, historyOf, markInterrupted, messageCount, summaryOf, titleFrom, type FactState, type MemoryState } from './memory-state';
import { searchConversations } from './search-conversations';

export const memoryRecallSpanName = 'memory_recall';

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
  /** Top-k facts above a cosine similarity; a recall gives up after timeoutMs (default 15 s). */
  recall?: { topK?: number; minSimilarity?: number; timeoutMs?: number };
  /** Test seam: a store that cannot be opened, a slow one. */
  openFactIndex?: (uri: string) => Promise<FactIndex>;
  newId?: () => string;
  clockIso?: () => string;
}

export interface RecallInput {
  conversationId: string;
  message: string;
  /** The turn's root span context (`agent.turn`), so `memory_recall` hangs under it. */
  parent: Context | null;
  /** The turn's signal: a stopped turn stops its recall too. */
  signal?: AbortSignal;
}

export interface RecallResult {
  /** The system message for the prompt (instructions + recalled facts), or null when none applies. */
  system: string | null;
  instructions: MemoryEntry[];
  facts: MemoryEntry[];
  /** What the message itself asked to remember (stored before the recall). */
  learned: MemoryEntry[];
}

/** What a chat turn needs from memory besides its conversation. */
export interface TurnMemory {
  /** Stores what the message asks to keep, then recalls what applies. Never throws. */
  prepare(input: RecallInput): Promise<RecallResult>;
}

export interface MemoryStore extends TurnMemory {
  readonly conversations: ConversationStore;
  listConversations(input: { query?: string | undefined; limit?: number | undefined }): Promise<ConversationSummary[]>;
  getConversation(conversationId: string): Promise<ConversationDetail>;
  renameConversation(conversationId: string, title: string): Promise<ConversationSummary>;
  deleteConversation(conversationId: string): Promise<{ deleted: boolean }>;
  listMemories(input: { type?: 'semantic' | 'procedural' | undefined; query?: string | undefined }): Promise<MemoryEntry[]>;
  addMemory(input: { type: 'semantic' | 'procedural'; text: string }): Promise<MemoryEntry>;
  deleteMemory(id: string): Promise<{ deleted: boolean }>;
  status(): Promise<MemoryStatus>;
  close(): Promise<void>;
}

interface Opened {
  state: MemoryState;
  journal: Journal | null;
}

const entry = (fact: FactState, score: number | null = null): MemoryEntry => ({ ...fact, score });

export function buildMemorySystemMessage(instructions: MemoryEntry[], facts: MemoryEntry[]): string | null {
  const parts: string[] = [];
  if (instructions.length) parts.push(['Standing instructions from the user. Follow them in every answer:', ...instructions.map((i) => `- ${i.text}`)].join('\n'));
  if (facts.length) parts.push(['Facts the user asked you to remember. Use them when they are relevant:', ...facts.map((f) => `- ${f.text}`)].join('\n'));
  return parts.length ? parts.join('\n\n') : null;
}

export function memoryJournalPath(dataDir: string): string {
  return join(dataDir, 'memory', 'journal.jsonl');
}

/**
 * Episodic, semantic and procedural memory over one append-only journal (the truth, replayed at
 * start) and a LanceDB facts table (vectors for recall, rebuilt from the journal when needed).
 * Storage opens on first use, so creating it costs nothing. Storage trouble degrades to memory
 * that lives as long as the process, with one clear error, and never fails a chat.
 */
export function createMemoryStore(deps: MemoryStoreDeps): MemoryStore {
  const metrics = deps.metrics ?? noopMemoryMetrics;
  const newId = deps.newId ?? randomUUID;
  const clockIso = deps.clockIso ?? (() => new Date().toISOString());
  const flushIntervalMs = deps.flushIntervalMs ?? 500;
  const topK = deps.recall?.topK ?? 5;
  const minSimilarity = deps.recall?.minSimilarity ?? 0.5;
  const recallTimeoutMs = deps.recall?.timeoutMs ?? 15_000;
  const journalPath = memoryJournalPath(deps.dataDir);
  const log = deps.logger;
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
      const { journal, records, corrupt, writeError } = await openJournal(journalPath, deps.journal);
      for (const record of records) applyRecord(state, record);
      const interrupted = markInterrupted(state);
      for (const bad of corrupt) {
        deps.warn(`Memory journal ${journalPath} line ${bad.line} is damaged (${bad.reason}); skipped it, the other records are kept`);
      }
      if (writeError) {
        problem = `Cannot write conversations to ${journalPath} (${writeError.code ?? 'error'}: ${writeError.message}). Conversations and memories are kept in memory only until the app quits; make the data dir writable (or set BRUNO_DATA_DIR) to keep them.`;
        log.error(problem, { path: journalPath, code: writeError.code });
        deps.warn(problem);
      }
      if (records.length || interrupted) log.info('memory journal replayed', { path: journalPath, records: records.length, skipped: corrupt.length, interrupted_turns: interrupted });
      metrics.countEntriesWith(() => counts(state));
      return { state, journal };
    })();
    return opening;
  };

  /** A failed write or sync: from now on conversations and memories live in memory only. */
  const degrade = (opened: Opened, journal: Journal, err: unknown) => {
    if (opened.journal !== journal) return;
    opened.journal = null;
    problem = `Writing to ${journalPath} failed (${(err as Error).message}). Conversations and memories are kept in memory only from now on.`;
    log.error(problem, { path: journalPath });
    deps.warn(problem);
    void journal.close();
  };

  /**
   * Applies records to the state at once, then appends them. Resolves once they are written
   * ('wait': once also synced to disk; 'background': the sync follows, and close() waits for it).
   * Never rejects: a failed write or sync degrades to memory-only.
   */
  const persist = async (opened: Opened, records: JournalRecord[], sync: 'none' | 'background' | 'wait'): Promise<void> => {
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

  const changed = (conversationId: string, change: ConversationsChanged['change']) => {
    try {
      deps.onChange?.({ conversationId, change });
    } catch (err) {
      log.warn('conversation change listener failed', { error: (err as Error).message });
    }
  };

  // ---- the facts index: opened on first recall, serialized (LanceDB writes and searches in order) ----
  let factIndex: Promise<FactIndex> | null = null;
  let indexChain: Promise<unknown> = Promise.resolve();
  let indexedIds: Set<string> | null = null;
  let indexedModel: string | null = null;
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = indexChain.then(work);
    indexChain = run.catch(() => {});
    return track(run);
  };
  const index = (): Promise<FactIndex> => {
    factIndex ??= (deps.openFactIndex ?? openLanceFactIndex)(deps.storeUri).catch((err: unknown) => {
      const message = `Cannot open the memory store ${deps.storeUri} (${(err as Error).message}); facts are searched in memory for now`;
      problem ??= message;
      log.error(message, { uri: deps.storeUri });
      deps.warn(message);
      return createMemoryFactIndex();
    });
    return factIndex;
  };

  /** Embeds the query (and facts that have no vector yet, in the same call) and asks the index. */
  const searchFacts = (state: MemoryState, query: string, k: number, parent: Context, signal?: AbortSignal): Promise<{ fact: FactState; similarity: number }[]> =>
    serially(async () => {
      const model = deps.embedModel();
      const idx = await index();
      if (indexedModel !== model || !indexedIds) {
        indexedIds = await idx.indexed(model);
        indexedModel = model;
      }
      const known = indexedIds;
      const pending = [...state.facts.values()].filter((f) => f.type === 'semantic' && !known.has(f.id)).slice(0, 64);
      const timeout = AbortSignal.timeout(recallTimeoutMs);
      const response = await deps.embed({ model, input: [query, ...pending.map((f) => f.text)], parent, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      const [queryVector, ...factVectors] = response.embeddings;
      if (!queryVector) throw new Error(`the embedding model '${model}' returned no vector`);
      if (pending.length) {
        await idx.add(pending.map((f, i) => ({ id: f.id, text: f.text, vector: factVectors[i] ?? [] })), model);
        for (const f of pending) known.add(f.id);
      }
      const hits = await idx.search(queryVector, k);
      return hits.flatMap((h) => {
        const fact = state.facts.get(h.id);
        return fact && fact.type === 'semantic' ? [{ fact, similarity: h.similarity }] : [];
      });
    });

  const addFact = async (type: 'semantic' | 'procedural', text: string, source: 'chat' | 'user', conversationId: string | null): Promise<MemoryEntry> => {
    const opened = await open();
    const normalized = text.trim().toLowerCase();
    const existing = [...opened.state.facts.values()].find((f) => f.type === type && f.text.trim().toLowerCase() === normalized);
    if (existing) return entry(existing);
    const id = newId();
    await persist(opened, [{ t: 'fact', id, kind: type, text: text.trim(), source, c: conversationId, at: clockIso() }], 'wait');
    metrics.operation('write', type);
    log.info('memory stored', { memory_type: type, memory_id: id, source });
    return entry(opened.state.facts.get(id)!);
  };

  const conversations: ConversationStore = {
    async history(conversationId) {
      const opened = await open();
      metrics.operation('read', 'episodic');
      return historyOf(opened.state.conversations.get(conversationId));
    },
    async beginTurn(turn) {
      const opened = await open();
      const at = turn.user.createdAt;
      const records: JournalRecord[] = [];
      if (!opened.state.conversations.has(turn.conversationId)) records.push({ t: 'conv', c: turn.conversationId, title: titleFrom(turn.user.content), at });
      records.push({ t: 'msg', c: turn.conversationId, id: turn.user.id, turnId: turn.turnId, content: turn.user.content, model: turn.model, at });
      // Written before any of the answer is read (the turn calls this as its request leaves), so a
      // crash from here on still shows the question; the disk sync follows within the journal's
      // sync interval, off the turn's path.
      await persist(opened, records, 'background');
      metrics.operation('write', 'episodic');
      changed(turn.conversationId, 'updated');

      let latest = '';
      let flushed = 0;
      let assistantId: string | null = null;
      let timer: NodeJS.Timeout | null = null;
      let ended = false;
      const flush = () => {
        timer = null;
        if (ended || !assistantId || latest.length <= flushed) return;
        const text = latest.slice(flushed);
        flushed = latest.length;
        void persist(opened, [{ t: 'delta', c: turn.conversationId, id: assistantId, turnId: turn.turnId, text, at: clockIso() }], 'none');
      };
      const recorder: TurnRecorder = {
        progress(answer, id) {
          latest = answer;
          assistantId = id;
          if (timer || ended) return;
          timer = setTimeout(flush, flushIntervalMs);
          timer.unref?.();
        },
        async end(outcome) {
          ended = true;
          if (timer) clearTimeout(timer);
          // The state changes now (the next turn and the UI see it); the disk sync may finish later.
          const written = persist(
            opened,
            [
              {
                t: 'end',
                c: turn.conversationId,
                id: outcome.assistantId,
                turnId: turn.turnId,
                status: outcome.status,
                content: outcome.answer,
                model: outcome.model,
                stats: outcome.stats as unknown as Record<string, unknown> | null,
                sources: outcome.sources,
                traceId: outcome.traceId,
                error: outcome.error,
                ...(outcome.toolCalls?.length ? { tools: outcome.toolCalls } : {}),
                at: clockIso(),
              },
            ],
            'wait',
          );
          metrics.operation('write', 'episodic');
          changed(turn.conversationId, 'updated');
          await written;
        },
      };
      return recorder;
    },
  };

  const findConversation = (opened: Opened, conversationId: string) => {
    const conv = opened.state.conversations.get(conversationId);
    if (!conv) throw new BrunoError('not_found', `No conversation '${conversationId}' (it may have been deleted)`);
    return conv;
  };

  return {
    conversations,

    async prepare({ conversationId, message, parent, signal }) {
      const result: RecallResult = { system: null, instructions: [], facts: [], learned: [] };
      let opened: Opened;
      try {
        opened = await open();
        for (const found of detectMemories(message)) result.learned.push(await addFact(found.type, found.text, 'chat', conversationId));
      } catch (err) {
        log.warn('memory is unavailable for this turn; answering without it', { error: (err as Error).message });
        return result;
      }
      const facts = [...opened.state.facts.values()];
      result.instructions = facts.filter((f) => f.type === 'procedural').sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map((f) => entry(f));
      const semanticCount = facts.length - result.instructions.length;
      if (!result.instructions.length && !semanticCount) return result;

      // Only a turn that has memory to recall gets the span: nothing to look up, nothing to trace.
      let span: ReturnType<Tracer['startSpan']> | null;
      try {
        span = deps.tracer.startSpan(memoryRecallSpanName, { attributes: { 'bruno.memory.instructions': result.instructions.length, 'bruno.memory.semantic_entries': semanticCount } }, parent ?? ROOT_CONTEXT);
      } catch {
        span = null;
      }
      if (result.instructions.length) {
        metrics.operation('read', 'procedural');
        metrics.retrieval('procedural', 0);
      }
      if (semanticCount) {
        const started = performance.now();
        try {
          const hits = await searchFacts(opened.state, message, topK, span ? trace.setSpan(parent ?? ROOT_CONTEXT, span) : (parent ?? ROOT_CONTEXT), signal);
          result.facts = hits.filter((h) => h.similarity >= minSimilarity).map((h) => entry(h.fact, Math.round(h.similarity * 1000) / 1000));
          metrics.operation('read', 'semantic');
        } catch (err) {
          const info = toErrorInfo(err);
          log.warn('recalling facts failed; answering without them', { error_type: info.code, error: info.message }, span?.spanContext());
          try {
            span?.recordException({ name: info.code, message: info.message });
            span?.setStatus({ code: SpanStatusCode.ERROR, message: info.message });
          } catch {
            // Telemetry never breaks the feature.
          }
        }
        metrics.retrieval('semantic', (performance.now() - started) / 1000);
      }
      try {
        span?.setAttribute('bruno.memory.facts_recalled', result.facts.length);
        span?.end();
      } catch {
        // Telemetry never breaks the feature.
      }
      result.system = buildMemorySystemMessage(result.instructions, result.facts);
      return result;
    },

    async listConversations({ query, limit }) {
      const opened = await open();
      const max = limit ?? 50;
      metrics.operation('read', 'episodic');
      const all = [...opened.state.conversations.values()];
      if (!query?.trim()) return all.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, max).map((c) => summaryOf(c));
      const started = performance.now();
      const hits = searchConversations(all, query, max);
      metrics.retrieval('episodic', (performance.now() - started) / 1000);
      return hits.map((h) => summaryOf(h.conversation, h.snippet));
    },

    async getConversation(conversationId) {
      const opened = await open();
      const conv = findConversation(opened, conversationId);
      metrics.operation('read', 'episodic');
      return { ...summaryOf(conv), messages: conv.messages.map((m) => ({ ...m, sources: [...m.sources] })) };
    },

    async renameConversation(conversationId, title) {
      const opened = await open();
      findConversation(opened, conversationId);
      await persist(opened, [{ t: 'rename', c: conversationId, title: title.trim(), at: clockIso() }], 'wait');
      metrics.operation('write', 'episodic');
      changed(conversationId, 'renamed');
      return summaryOf(findConversation(opened, conversationId));
    },

    async deleteConversation(conversationId) {
      const opened = await open();
      const conv = opened.state.conversations.get(conversationId);
      if (!conv) return { deleted: false };
      const removed = conv.messages.length;
      await persist(opened, [{ t: 'delconv', c: conversationId, at: clockIso() }], 'wait');
      metrics.operation('delete', 'episodic', Math.max(1, removed));
      changed(conversationId, 'deleted');
      return { deleted: true };
    },

    async listMemories({ type, query }) {
      const opened = await open();
      const facts = [...opened.state.facts.values()].filter((f) => !type || f.type === type).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      const q = query?.trim().toLowerCase();
      if (!q) {
        if (type !== 'procedural') metrics.operation('read', 'semantic');
        if (type !== 'semantic') metrics.operation('read', 'procedural');
        return facts.map((f) => entry(f));
      }
      const scores = new Map<string, number>();
      for (const f of facts) if (f.text.toLowerCase().includes(q)) scores.set(f.id, 1);
      if (type !== 'procedural' && facts.some((f) => f.type === 'semantic')) {
        const started = performance.now();
        try {
          for (const hit of await searchFacts(opened.state, query!, 20, ROOT_CONTEXT)) {
            if (hit.similarity >= minSimilarity) scores.set(hit.fact.id, Math.max(scores.get(hit.fact.id) ?? 0, Math.round(hit.similarity * 1000) / 1000));
          }
        } catch (err) {
          log.warn('searching facts by similarity failed; matching their text only', { error: toErrorInfo(err).message });
        }
        metrics.retrieval('semantic', (performance.now() - started) / 1000);
        metrics.operation('read', 'semantic');
      }
      // A fact deleted while the search ran is not listed.
      return facts.filter((f) => scores.has(f.id) && opened.state.facts.has(f.id)).map((f) => entry(f, scores.get(f.id)!)).sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
    },

    async addMemory({ type, text }) {
      return addFact(type, text, 'user', null);
    },

    async deleteMemory(id) {
      const opened = await open();
      const fact = opened.state.facts.get(id);
      if (!fact) return { deleted: false };
      await persist(opened, [{ t: 'delfact', id, at: clockIso() }], 'wait');
      metrics.operation('delete', fact.type);
      if (fact.type === 'semantic' && factIndex) {
        indexedIds?.delete(id);
        void serially(async () => (await index()).remove([id])).catch((err: unknown) => log.warn('removing a fact from the index failed (it is ignored on recall)', { error: (err as Error).message }));
      }
      return { deleted: true };
    },

    async status() {
      const opened = await open();
      return { persistent: opened.journal !== null, journalPath, problem, entries: counts(opened.state) };
    },

    async close() {
      if (closed) return;
      await Promise.allSettled([...inFlight]);
      closed = true;
      if (!opening) return;
      const opened = await opening.catch(() => null);
      await opened?.journal?.close();
      if (factIndex) await (await factIndex).close().catch(() => {});
    },
  };
}
