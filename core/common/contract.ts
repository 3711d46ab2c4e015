/**
 * The contract between the UI and the core: invoke methods (renderer -> core) and events
 * (core -> renderer). Declared once; Electron IPC and the headless HTTP bridge both bind it.
 * Every input is validated at the transport boundary with these schemas.
 */
import { z } from 'zod';
import { invokeChannels, isInvokeChannel, type EventChannel, type InvokeChannel } from './channels';

export type { EventChannel, InvokeChannel };
import { BrunoError } from './errors';
import type { ChatEventBatch } from './turn';
import type { HealthState, ModelInfo } from './health';
import type { SpanRecord, TurnSample } from './telemetry';
import type { AlertsState } from './alerts';
import type { ConversationDetail, ConversationsChanged, ConversationSummary, MemoryEntry, MemoryStatus } from './memory';
import { fusionMethods, searchModes, type KbEvalSummary, type KbProgressEvent, type KbSource, type SearchResult } from './knowledge';
import type { ConnectionTestResult, SettingsUpdateResult, SettingsView } from './settings';

const id = z.string().min(1).max(128).regex(/^[\w.:-]+$/, 'letters, digits, . : _ - only');

export const chatSendInput = z.strictObject({
  message: z.string().trim().min(1, 'message is empty').max(200_000),
  conversationId: id.optional(),
  model: z.string().min(1).max(200).optional(),
  /** Chosen by the caller so it can match events and stop the turn before the reply arrives. */
  turnId: id.optional(),
});
export type ChatSendInput = z.infer<typeof chatSendInput>;

export const chatStopInput = z.strictObject({ turnId: id });

/** Labelled queries (as in `agent-bruno eval` files): sets the retrieval-quality gauges. */
export const kbEvalInput = z.strictObject({
  queries: z.array(z.strictObject({ query: z.string().trim().min(1).max(2000), relevant: z.array(z.string().min(1).max(4096)).min(1) })).min(1).max(1000),
  k: z.number().int().min(1).max(100).optional(),
  fusion: z.enum(fusionMethods, { error: "must be 'convex' or 'rrf'" }).optional(),
});

/** A partial settings.json; the core validates the merged result field by field. */
export const settingsUpdateInput = z.strictObject({ patch: z.record(z.string(), z.unknown()) });
export const settingsTestInput = z.strictObject({
  target: z.enum(['ollama', 'otlp', 'grafana', 'prometheus', 'alertmanager']),
  /** Test this address instead of the saved one (the form's unsaved value). */
  url: z.string().max(2000).optional(),
});
export type ChatStopInput = z.infer<typeof chatStopInput>;

const noInput = z.strictObject({}).optional();

export const tracesGetInput = z.strictObject({ traceId: z.string().regex(/^[0-9a-f]{32}$/, 'must be a 32-character lowercase hex trace id') });

export const conversationsListInput = z
  .strictObject({
    /** Words that must all occur in the title or the messages. */
    query: z.string().max(500).optional(),
    limit: z.number().int().min(1).max(500).optional(),
  })
  .optional();
export const conversationIdInput = z.strictObject({ conversationId: id });
export const conversationsRenameInput = z.strictObject({ conversationId: id, title: z.string().trim().min(1, 'title is empty').max(200) });
const memoryKind = z.enum(['semantic', 'procedural'], { error: "must be 'semantic' (a fact) or 'procedural' (a standing instruction)" });
export const memoryListInput = z.strictObject({ type: memoryKind.optional(), query: z.string().max(1000).optional() }).optional();
export const memoryAddInput = z.strictObject({ type: memoryKind, text: z.string().trim().min(1, 'text is empty').max(2000) });
export const memoryDeleteInput = z.strictObject({ id });

/** A file or folder to ingest: absolute (the UI's file picker gives one), no NUL byte. */
const kbPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\u0000'), 'contains a NUL byte')
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), 'must be an absolute path');
export const kbIngestInput = z.strictObject({ paths: z.array(kbPath).min(1, 'give at least one path').max(100) });
export const kbReingestInput = z.strictObject({ sourceId: id.optional() }).optional();
export const kbRemoveInput = z.union([z.strictObject({ sourceId: id }), z.strictObject({ path: kbPath })], { error: 'give either sourceId or path' });
export const kbSearchInput = z.strictObject({
  query: z.string().trim().min(1, 'query is empty').max(2000),
  mode: z.enum(searchModes, { error: "must be 'hybrid', 'vector' or 'fts'" }).optional(),
  fusion: z.enum(fusionMethods, { error: "must be 'convex' or 'rrf'" }).optional(),
  k: z.number().int().min(1).max(100).optional(),
});

export interface ChatSendAccepted {
  turnId: string;
  conversationId: string;
}

/** Input schemas by channel: the runtime list of invoke channels is derived from it. */
export const invokeInputSchemas = {
  'chat.send': chatSendInput,
  'chat.stop': chatStopInput,
  'models.list': noInput,
  'health.get': noInput,
  'traces.get': tracesGetInput,
  'alerts.list': noInput,
  'conversations.list': conversationsListInput,
  'conversations.get': conversationIdInput,
  'conversations.rename': conversationsRenameInput,
  'conversations.delete': conversationIdInput,
  'memory.list': memoryListInput,
  'memory.add': memoryAddInput,
  'memory.delete': memoryDeleteInput,
  'memory.status': noInput,
  'kb.ingest': kbIngestInput,
  'kb.reingest': kbReingestInput,
  'kb.sources': noInput,
  'kb.remove': kbRemoveInput,
  'kb.search': kbSearchInput,
  'kb.eval': kbEvalInput,
  'settings.get': noInput,
  'settings.update': settingsUpdateInput,
  'settings.test': settingsTestInput,
} as const satisfies Record<InvokeChannel, z.ZodType>;

export type InvokeInput<C extends InvokeChannel> = z.input<(typeof invokeInputSchemas)[C]>;

export interface InvokeOutputs {
  'chat.send': ChatSendAccepted;
  'chat.stop': { stopped: boolean };
  'models.list': ModelInfo[];
  'health.get': HealthState;
  /** Spans of a recent turn from the in-process buffer (empty when it has been evicted). */
  'traces.get': SpanRecord[];
  'alerts.list': AlertsState;
  /** Most recently updated first; with a query, best match first. */
  'conversations.list': ConversationSummary[];
  /** Messages with their status, stats, sources and trace ids; `not_found` for an unknown id. */
  'conversations.get': ConversationDetail;
  'conversations.rename': ConversationSummary;
  'conversations.delete': { deleted: boolean };
  /** Facts (semantic) and standing instructions (procedural); with a query, by similarity/text. */
  'memory.list': MemoryEntry[];
  'memory.add': MemoryEntry;
  'memory.delete': { deleted: boolean };
  /** Whether memory is persistent, and why not. */
  'memory.status': MemoryStatus;
  /** Starts an ingestion job; its progress, then a summary or an error, arrive as `kb.progress` events. */
  'kb.ingest': { jobId: string };
  /** Re-ingests every source (or one): changed files re-embedded, deleted ones removed. */
  'kb.reingest': { jobId: string };
  'kb.sources': KbSource[];
  'kb.remove': { removed: boolean; files: number; chunks: number };
  'kb.search': SearchResult;
  /** MRR, Hit@k and NDCG per mode (vector, fts, hybrid); the gauges are set as a side effect. */
  'kb.eval': KbEvalSummary;
  'settings.get': SettingsView;
  /** Field-level errors come back in the result (ok: false), not as a thrown error. */
  'settings.update': SettingsUpdateResult;
  'settings.test': ConnectionTestResult;
}
export type InvokeOutput<C extends InvokeChannel> = InvokeOutputs[C];

export interface EventPayloads {
  /** Batched events of a turn (tokens coalesced), never one message per token. */
  'chat.event': ChatEventBatch;
  health: HealthState;
  /** Live TTFT / tokens per second while a turn streams, at most ~10 per second. */
  'turn.sample': TurnSample;
  /** The alert list changed (an alert started pending/firing or resolved). */
  alerts: AlertsState;
  /** A conversation was updated (a turn began or ended), renamed or deleted. */
  conversations: ConversationsChanged;
  /** Progress of a knowledge base job, ending with one `done` (summary) or `error`. */
  'kb.progress': KbProgressEvent;
}

// Compile-time proof that the name lists in channels.ts and the maps here describe the same API.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const contractMapsMatchChannels: [Same<keyof typeof invokeInputSchemas, InvokeChannel>, Same<keyof InvokeOutputs, InvokeChannel>, Same<keyof EventPayloads, EventChannel>] = [true, true, true];

/**
 * Validates a payload that crossed a transport. Throws a BrunoError whose message names the
 * channel and each bad field, so a caller sees what to fix instead of a crash.
 */
export function parseInvokeInput<C extends InvokeChannel>(channel: C, payload: unknown): z.output<(typeof invokeInputSchemas)[C]>;
export function parseInvokeInput(channel: unknown, payload: unknown): unknown;
export function parseInvokeInput(channel: unknown, payload: unknown): unknown {
  if (!isInvokeChannel(channel)) {
    throw new BrunoError('unknown_channel', `Unknown method '${String(channel)}'. Known: ${invokeChannels.join(', ')}`);
  }
  const result = invokeInputSchemas[channel].safeParse(payload ?? undefined);
  if (!result.success) {
    const fields = result.error.issues
      .map((issue) => `${issue.path.length ? issue.path.join('.') : '(input)'}: ${issue.message}`)
      .join('; ');
    throw new BrunoError('invalid_request', `Invalid input for ${channel}: ${fields}`);
  }
  return result.data;
}

/** What the core implements and each transport binds. */
export type ContractHandlers = {
  [C in InvokeChannel]: (input: z.output<(typeof invokeInputSchemas)[C]>) => Promise<InvokeOutputs[C]>;
};

export type Unsubscribe = () => void;

/** What the renderer holds: it cannot tell whether IPC or HTTP is behind it. */
export interface Bridge {
  invoke<C extends InvokeChannel>(channel: C, input?: InvokeInput<C>): Promise<InvokeOutput<C>>;
  on<E extends EventChannel>(channel: E, listener: (payload: EventPayloads[E]) => void): Unsubscribe;
}
