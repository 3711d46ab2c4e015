import type { ErrorCode } from '../common/errors';
import type { ConversationMessage, ConversationSummary, MemoryEntry } from '../common/memory';
import type { TurnStats } from '../common/turn';
import type { JournalRecord } from './journal';

export interface ConversationState {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  messages: ConversationMessage[];
}

export type FactState = Omit<MemoryEntry, 'score'>;

/** Everything the journal describes, in memory: the answer to every read. */
export interface MemoryState {
  conversations: Map<string, ConversationState>;
  facts: Map<string, FactState>;
}

export function emptyMemoryState(): MemoryState {
  return { conversations: new Map(), facts: new Map() };
}

/** A title from the first user message: its first line, at most 60 characters. */
export function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0]!.replace(/\s+/g, ' ');
  return line.length > 60 ? `${line.slice(0, 57).trimEnd()}...` : line || 'New conversation';
}

function conversation(state: MemoryState, id: string, at: string, title: string): ConversationState {
  let conv = state.conversations.get(id);
  if (!conv) {
    conv = { id, title, createdAt: at, updatedAt: at, messages: [] };
    state.conversations.set(id, conv);
  }
  return conv;
}

function findMessage(conv: ConversationState, id: string): ConversationMessage | undefined {
  for (let i = conv.messages.length - 1; i >= 0; i--) if (conv.messages[i]!.id === id) return conv.messages[i];
  return undefined;
}

function assistantMessage(conv: ConversationState, record: { id: string; turnId: string; at: string }, model: string | null): ConversationMessage {
  let message = findMessage(conv, record.id);
  if (!message) {
    message = { id: record.id, turnId: record.turnId, role: 'assistant', content: '', createdAt: record.at, status: 'streaming', model, stats: null, sources: [], traceId: null, error: null };
    conv.messages.push(message);
  }
  return message;
}

/** Applies one journal record. Records about something deleted or unknown are harmless no-ops. */
export function applyRecord(state: MemoryState, record: JournalRecord): void {
  switch (record.t) {
    case 'conv':
      conversation(state, record.c, record.at, record.title);
      return;
    case 'msg': {
      const conv = conversation(state, record.c, record.at, titleFrom(record.content));
      if (findMessage(conv, record.id)) return;
      conv.messages.push({ id: record.id, turnId: record.turnId, role: 'user', content: record.content, createdAt: record.at, status: 'streaming', model: record.model, stats: null, sources: [], traceId: null, error: null });
      conv.updatedAt = record.at;
      return;
    }
    case 'delta': {
      const conv = state.conversations.get(record.c);
      if (!conv) return;
      assistantMessage(conv, record, null).content += record.text;
      conv.updatedAt = record.at;
      return;
    }
    case 'end': {
      const conv = state.conversations.get(record.c);
      if (!conv) return;
      const message = assistantMessage(conv, record, record.model);
      Object.assign(message, {
        content: record.content,
        status: record.status,
        model: record.model,
        stats: record.stats as TurnStats | null,
        sources: record.sources,
        traceId: record.traceId,
        error: record.error ? { code: record.error.code as ErrorCode, message: record.error.message } : null,
        ...(record.tools?.length ? { toolCalls: record.tools } : {}),
      });
      for (const m of conv.messages) if (m.turnId === record.turnId && m.role === 'user') Object.assign(m, { status: record.status, traceId: record.traceId });
      conv.updatedAt = record.at;
      return;
    }
    case 'rename': {
      const conv = state.conversations.get(record.c);
      if (conv) conv.title = record.title;
      return;
    }
    case 'delconv':
      state.conversations.delete(record.c);
      return;
    case 'fact':
      state.facts.set(record.id, { id: record.id, type: record.kind, text: record.text, createdAt: record.at, source: record.source, conversationId: record.c });
      return;
    case 'delfact':
      state.facts.delete(record.id);
      return;
    case 'snap':
      state.conversations.set(record.conv.id, conversationFromSnapshot(record));
      return;
    case 'head':
      // Only a hint for the start (the snapshot after it is the truth).
      return;
  }
}

/** The state a snapshot line holds (journal-compaction.ts writes them). */
export function conversationFromSnapshot(record: Extract<JournalRecord, { t: 'snap' }>): ConversationState {
  const { conv } = record;
  return {
    id: conv.id,
    title: conv.title,
    createdAt: conv.createdAt,
    updatedAt: conv.updatedAt,
    messages: conv.messages.map((m) => ({ ...m, stats: m.stats as TurnStats | null, error: m.error ? { code: m.error.code as ErrorCode, message: m.error.message } : null })),
  };
}

/** The snapshot line of a conversation: everything about it, in one record. */
export function snapshotOf(conv: ConversationState): Extract<JournalRecord, { t: 'snap' }> {
  return { t: 'snap', conv: { id: conv.id, title: conv.title, createdAt: conv.createdAt, updatedAt: conv.updatedAt, messages: conv.messages.map((m) => ({ ...m, stats: m.stats as unknown as Record<string, unknown> | null })) } };
}

/** The head line that goes before a conversation's snapshot line. */
export function headOf(summary: ConversationSummary): Extract<JournalRecord, { t: 'head' }> {
  return { t: 'head', c: summary.id, title: summary.title, createdAt: summary.createdAt, updatedAt: summary.updatedAt, messageCount: summary.messageCount, snippet: summary.snippet };
}

export function summaryOfHead(head: Extract<JournalRecord, { t: 'head' }>): ConversationSummary {
  return { id: head.c, title: head.title, createdAt: head.createdAt, updatedAt: head.updatedAt, messageCount: head.messageCount, snippet: head.snippet };
}

/** After a replay: a turn still streaming belonged to a process that died. */
export function markInterrupted(state: MemoryState): number {
  let count = 0;
  for (const conv of state.conversations.values()) {
    for (const m of conv.messages) {
      if (m.status === 'streaming') {
        m.status = 'interrupted';
        count++;
      }
    }
  }
  return count;
}

/** The messages a model sees as history: finished or stopped exchanges, not failed ones. */
export function historyOf(conv: ConversationState | undefined): { role: 'user' | 'assistant'; content: string; id: string; createdAt: string }[] {
  if (!conv) return [];
  return conv.messages
    .filter((m) => (m.status === 'done' || m.status === 'stopped' || m.status === 'interrupted') && m.content)
    .map((m) => ({ id: m.id, role: m.role, content: m.content, createdAt: m.createdAt }));
}

/** What a list shows of a conversation (a snapshot record's `conv` has the same shape). */
export function summaryOf(conv: Pick<ConversationState, 'id' | 'title' | 'createdAt' | 'updatedAt'> & { messages: readonly { content: string }[] }, snippet?: string): ConversationSummary {
  const last = conv.messages.at(-1);
  return {
    id: conv.id,
    title: conv.title,
    createdAt: conv.createdAt,
    updatedAt: conv.updatedAt,
    messageCount: conv.messages.length,
    snippet: (snippet ?? last?.content ?? '').slice(0, 200),
  };
}

export function messageCount(state: MemoryState): number {
  let n = 0;
  for (const conv of state.conversations.values()) n += conv.messages.length;
  return n;
}
