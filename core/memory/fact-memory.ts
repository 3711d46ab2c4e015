import { ROOT_CONTEXT, SpanStatusCode, trace, type Context, type Tracer } from '@opentelemetry/api';
import { toErrorInfo } from '../common/errors';
import type { MemoryEntry } from '../common/memory';
import type { Embed } from '../llm';
import type { Logger } from '../telemetry/logging';
import { detectMemories } from './detect';
import { createMemoryFactIndex, openLanceFactIndex, type FactIndex } from './fact-index';
import type { JournalPersistence } from './journal-persistence';
import type { MemoryMetrics } from './memory-metrics';
import type { FactState, MemoryState } from './memory-state';

export const memoryRecallSpanName = 'memory_recall';

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

export interface FactMemory extends TurnMemory {
  listMemories(input: { type?: 'semantic' | 'procedural' | undefined; query?: string | undefined }): Promise<MemoryEntry[]>;
  addMemory(input: { type: 'semantic' | 'procedural'; text: string }): Promise<MemoryEntry>;
  deleteMemory(id: string): Promise<{ deleted: boolean }>;
  close(): Promise<void>;
}

export interface FactMemoryDeps {
  persistence: JournalPersistence;
  /** The LanceDB store (a folder or a bucket URI) the facts table lives in. */
  storeUri: string;
  embed: Embed;
  embedModel: () => string;
  tracer: Tracer;
  metrics: MemoryMetrics;
  logger: Logger;
  warn: (message: string, detail?: unknown) => void;
  recall?: { topK?: number; minSimilarity?: number; timeoutMs?: number } | undefined;
  openFactIndex?: ((uri: string) => Promise<FactIndex>) | undefined;
  newId: () => string;
  clockIso: () => string;
}

const entry = (fact: FactState, score: number | null = null): MemoryEntry => ({ ...fact, score });

export function buildMemorySystemMessage(instructions: MemoryEntry[], facts: MemoryEntry[]): string | null {
  const parts: string[] = [];
  if (instructions.length) parts.push(['Standing instructions from the user. Follow them in every answer:', ...instructions.map((i) => `- ${i.text}`)].join('\n'));
  if (facts.length) parts.push(['Facts the user asked you to remember. Use them when they are relevant:', ...facts.map((f) => `- ${f.text}`)].join('\n'));
  return parts.length ? parts.join('\n\n') : null;
}

/**
 * Semantic facts and procedural instructions: kept in the journal (the truth), recalled by
 * similarity through a facts index (LanceDB, rebuilt from the journal when needed).
 */
export function createFactMemory(deps: FactMemoryDeps): FactMemory {
  const { persistence, metrics, logger: log, newId, clockIso } = deps;
  const topK = deps.recall?.topK ?? 5;
  const minSimilarity = deps.recall?.minSimilarity ?? 0.5;
  const recallTimeoutMs = deps.recall?.timeoutMs ?? 15_000;

  // ---- the facts index: opened on first recall, serialized (LanceDB writes and searches in order) ----
  let factIndex: Promise<FactIndex> | null = null;
  let indexChain: Promise<unknown> = Promise.resolve();
  let indexedIds: Set<string> | null = null;
  let indexedModel: string | null = null;
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = indexChain.then(work);
    indexChain = run.catch(() => {});
    return persistence.track(run);
  };
  const index = (): Promise<FactIndex> => {
    factIndex ??= (deps.openFactIndex ?? openLanceFactIndex)(deps.storeUri).catch((err: unknown) => {
      const message = `Cannot open the memory store ${deps.storeUri} (${(err as Error).message}); facts are searched in memory for now`;
      persistence.noteProblem(message);
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
      // The fact index keeps plain number arrays (its LanceDB rows); a batch's vectors come as Float32Arrays.
      if (pending.length) {
        await idx.add(pending.map((f, i) => ({ id: f.id, text: f.text, vector: Array.from(factVectors[i] ?? []) })), model);
        for (const f of pending) known.add(f.id);
      }
      const hits = await idx.search(Array.from(queryVector), k);
      return hits.flatMap((h) => {
        const fact = state.facts.get(h.id);
        return fact && fact.type === 'semantic' ? [{ fact, similarity: h.similarity }] : [];
      });
    });

  const addFact = async (type: 'semantic' | 'procedural', text: string, source: 'chat' | 'user', conversationId: string | null): Promise<MemoryEntry> => {
    const opened = await persistence.open();
    const normalized = text.trim().toLowerCase();
    const existing = [...opened.state.facts.values()].find((f) => f.type === type && f.text.trim().toLowerCase() === normalized);
    if (existing) return entry(existing);
    const id = newId();
    await persistence.persist(opened, [{ t: 'fact', id, kind: type, text: text.trim(), source, c: conversationId, at: clockIso() }], 'wait');
    metrics.operation('write', type);
    log.info('memory stored', { memory_type: type, memory_id: id, source });
    return entry(opened.state.facts.get(id)!);
  };

  return {
    async prepare({ conversationId, message, parent, signal }) {
      const result: RecallResult = { system: null, instructions: [], facts: [], learned: [] };
      let state: MemoryState;
      try {
        state = (await persistence.open()).state;
        for (const found of detectMemories(message)) result.learned.push(await addFact(found.type, found.text, 'chat', conversationId));
      } catch (err) {
        log.warn('memory is unavailable for this turn; answering without it', { error: (err as Error).message });
        return result;
      }
      const facts = [...state.facts.values()];
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
          const hits = await searchFacts(state, message, topK, span ? trace.setSpan(parent ?? ROOT_CONTEXT, span) : (parent ?? ROOT_CONTEXT), signal);
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

    async listMemories({ type, query }) {
      const { state } = await persistence.open();
      const facts = [...state.facts.values()].filter((f) => !type || f.type === type).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
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
          for (const hit of await searchFacts(state, query!, 20, ROOT_CONTEXT)) {
            if (hit.similarity >= minSimilarity) scores.set(hit.fact.id, Math.max(scores.get(hit.fact.id) ?? 0, Math.round(hit.similarity * 1000) / 1000));
          }
        } catch (err) {
          log.warn('searching facts by similarity failed; matching their text only', { error: toErrorInfo(err).message });
        }
        metrics.retrieval('semantic', (performance.now() - started) / 1000);
        metrics.operation('read', 'semantic');
      }
      // A fact deleted while the search ran is not listed.
      return facts.filter((f) => scores.has(f.id) && state.facts.has(f.id)).map((f) => entry(f, scores.get(f.id)!)).sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
    },

    async addMemory({ type, text }) {
      return addFact(type, text, 'user', null);
    },

    async deleteMemory(id) {
      const opened = await persistence.open();
      const fact = opened.state.facts.get(id);
      if (!fact) return { deleted: false };
      await persistence.persist(opened, [{ t: 'delfact', id, at: clockIso() }], 'wait');
      metrics.operation('delete', fact.type);
      if (fact.type === 'semantic' && factIndex) {
        indexedIds?.delete(id);
        void serially(async () => (await index()).remove([id])).catch((err: unknown) => log.warn('removing a fact from the index failed (it is ignored on recall)', { error: (err as Error).message }));
      }
      return { deleted: true };
    },

    async close() {
      if (factIndex) await (await factIndex).close().catch(() => {});
    },
  };
}
