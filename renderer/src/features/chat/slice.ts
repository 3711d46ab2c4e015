/**
 * The chat's slice: the messages of the open conversation, the running turn and the banner error.
 * Streamed chunks pass through a frame buffer (frame-buffer.ts), not one state update per token.
 */
import type { AnswerJudgment, AnswerScores, ChatEventBatch, ConversationDetail, ConversationMessage, MessageSource, ToolCallView, TurnEvent, TurnStats } from '../../../../core/common';
import type { UiError } from '../../bridge/errors';
import type { GetState as Get, SetState as Set } from '../../shared/state';
import { createFrameBuffer, type PendingText, type ScheduleFrame } from './frame-buffer';

declare module '../../shared/state' {
  interface AppState {
    chat: ChatSlice;
  }
}

/** `interrupted`: a turn that was streaming when the core last stopped (from history). */
export type MessageStatus = 'streaming' | 'done' | 'stopped' | 'error' | 'interrupted';

export interface ChatMessage {
  id: string;
  role: 'user' | 'assistant';
  text: string;
  /** Reasoning text of thinking models, kept apart from the answer. */
  thinking: string;
  /** The turn that produced it (assistant) or started it (user). */
  turnId: string;
  status: MessageStatus;
  model: string | null;
  stats: TurnStats | null;
  error: UiError | null;
  /** Knowledge-base sources the answer cites as [n]. */
  sources: MessageSource[];
  traceId: string | null;
  /** The tool calls of the answer, latest state per call id, in the order they were asked for. */
  toolCalls?: ToolCallView[];
}

export interface ChatSlice {
  conversationId: string | null;
  messages: ChatMessage[];
  /** The running turn, if any: one at a time. */
  activeTurnId: string | null;
  /** The user asked to stop the active turn; its end event has not arrived yet. */
  stopping: boolean;
  /** The banner: the last error the user has not dismissed. */
  error: UiError | null;
  /** When the running turn began and when its last chunk reached the page (ms, page clock). */
  turnStartedAt: number | null;
  lastChunkAt: number | null;
  /**
   * The answer judge's scores by turn id, as `chat.judged` events bring them (after the turn's
   * done). Apart from the messages, so reloading a conversation keeps them; the newest 200 only.
   */
  scores: Record<string, AnswerScores>;

  beginTurn(turn: { turnId: string; text: string; model: string | null }): void;
  turnAccepted(accepted: { turnId: string; conversationId: string }): void;
  receiveBatch(batch: ChatEventBatch): void;
  /** The user asked to stop (true) or the stop request failed (false). */
  setStopping(turnId: string, stopping: boolean): void;
  /** Ends a turn without an end event from the core (send failed, stop found nothing to stop). */
  endTurnLocally(turnId: string, outcome: { status: 'stopped' } | { status: 'error'; error: UiError }): void;
  /** Moves buffered chunks into state now. */
  flush(): void;
  showError(error: UiError): void;
  dismissError(): void;
  newConversation(): void;
  /** Shows a stored conversation (ignored while a turn runs). */
  loadConversation(detail: ConversationDetail): void;
  /** Sources and trace id of finished turns, from the stored conversation. */
  attachDetails(detail: ConversationDetail): void;
  /** The answer judge scored a turn (any conversation: it shows when that one is open). */
  receiveJudgment(judgment: AnswerJudgment): void;
}

const maxScores = 200;


export const assistantIdOf = (turnId: string) => `${turnId}:assistant`;
export const userIdOf = (turnId: string) => `${turnId}:user`;

/** A stored message as the chat shows it. */
export function fromStored(m: ConversationMessage): ChatMessage {
  return {
    id: m.id,
    role: m.role,
    text: m.content,
    thinking: '',
    turnId: m.turnId,
    status: m.status,
    model: m.model,
    stats: m.stats,
    error: m.error,
    sources: m.sources,
    traceId: m.traceId ?? m.stats?.trace_id ?? null,
    ...(m.toolCalls?.length ? { toolCalls: m.toolCalls } : {}),
  };
}

export function createChatSlice(set: Set, get: Get, scheduleFrame: ScheduleFrame, now: () => number = () => Date.now()): ChatSlice {
  const patchChat = (patch: Partial<ChatSlice> | ((chat: ChatSlice) => Partial<ChatSlice>)) =>
    set((state) => ({ chat: { ...state.chat, ...(typeof patch === 'function' ? patch(state.chat) : patch) } }));

  /** Replaces the assistant message of a turn; the others keep their identity (memoized rows). */
  const patchAssistant = (turnId: string, update: (message: ChatMessage) => ChatMessage) =>
    patchChat((chat) => ({
      messages: chat.messages.map((m) => (m.role === 'assistant' && m.turnId === turnId ? update(m) : m)),
    }));

  const applyPending = (pending: ReadonlyMap<string, PendingText>) =>
    patchChat((chat) => ({
      lastChunkAt: now(),
      messages: chat.messages.map((m) => {
        const add = m.role === 'assistant' && m.status === 'streaming' ? pending.get(m.turnId) : undefined;
        return add ? { ...m, text: m.text + add.text, thinking: m.thinking + add.thinking } : m;
      }),
    }));

  const buffer = createFrameBuffer(scheduleFrame, applyPending);

  const streamingMessage = (turnId: string) =>
    get().chat.messages.find((m) => m.role === 'assistant' && m.turnId === turnId && m.status === 'streaming');

  const endTurn = (turnId: string, event: Extract<TurnEvent, { type: 'done' | 'error' }>) => {
    buffer.flushNow(); // The last chunks belong before the end.
    if (event.type === 'done') {
      // The cited sources come with the done event (an older core may leave them out).
      const sources = (event as { sources?: MessageSource[] }).sources;
      patchAssistant(turnId, (m) => ({ ...m, status: 'done', stats: event.stats, traceId: event.stats.trace_id, ...(Array.isArray(sources) ? { sources } : {}) }));
      patchChat({ conversationId: event.conversationId });
    } else if (event.code === 'cancelled') {
      patchAssistant(turnId, (m) => ({ ...m, status: 'stopped' }));
    } else {
      const error = { code: event.code, message: event.message };
      patchAssistant(turnId, (m) => ({ ...m, status: 'error', error }));
      patchChat({ error });
    }
    patchChat((chat) => (chat.activeTurnId === turnId ? { activeTurnId: null, stopping: false, turnStartedAt: null, lastChunkAt: null } : {}));
  };

  return {
    conversationId: null,
    messages: [],
    activeTurnId: null,
    stopping: false,
    error: null,
    turnStartedAt: null,
    lastChunkAt: null,
    scores: {},

    beginTurn({ turnId, text, model }) {
      const base = { turnId, thinking: '', model, stats: null, error: null, sources: [] as MessageSource[], traceId: null };
      patchChat((chat) => ({
        activeTurnId: turnId,
        stopping: false,
        error: null,
        turnStartedAt: now(),
        lastChunkAt: null,
        messages: [
          ...chat.messages,
          { ...base, id: userIdOf(turnId), role: 'user', text, status: 'done' },
          { ...base, id: assistantIdOf(turnId), role: 'assistant', text: '', status: 'streaming' },
        ],
      }));
    },

    turnAccepted({ conversationId }) {
      patchChat({ conversationId });
    },

    receiveBatch(batch) {
      // Events of turns this window did not start (another client of the same server) are not ours.
      if (!streamingMessage(batch.turnId)) return;
      for (const event of batch.events) {
        switch (event.type) {
          case 'token':
            buffer.append(batch.turnId, 'text', event.text);
            break;
          case 'thinking':
            buffer.append(batch.turnId, 'thinking', event.text);
            break;
          case 'tool': {
            // Text streamed before the call belongs above it; then the call's latest state replaces the older one.
            buffer.flushNow();
            const call = event.call;
            patchAssistant(batch.turnId, (m) => {
              const calls = m.toolCalls ?? [];
              const at = calls.findIndex((c) => c.id === call.id);
              return { ...m, toolCalls: at === -1 ? [...calls, call] : calls.map((c, i) => (i === at ? call : c)) };
            });
            // The model answered (with a call) and the turn moves: the stall notice counts from here,
            // not from the last token before a tool that ran or waited for Run / Deny.
            patchChat({ lastChunkAt: now() });
            break;
          }
          case 'done':
          case 'error':
            endTurn(batch.turnId, event);
            return;
        }
      }
    },

    setStopping(turnId, stopping) {
      patchChat((chat) => (chat.activeTurnId === turnId ? { stopping } : {}));
    },

    endTurnLocally(turnId, outcome) {
      if (!streamingMessage(turnId)) return;
      if (outcome.status === 'stopped') endTurn(turnId, { type: 'error', code: 'cancelled', message: 'Stopped' });
      else {
        buffer.flushNow();
        patchAssistant(turnId, (m) => ({ ...m, status: 'error', error: outcome.error }));
        patchChat((chat) => ({
          error: outcome.error,
          ...(chat.activeTurnId === turnId ? { activeTurnId: null, stopping: false, turnStartedAt: null, lastChunkAt: null } : {}),
        }));
      }
    },

    flush() {
      buffer.flushNow();
    },

    showError(error) {
      patchChat({ error });
    },

    dismissError() {
      patchChat({ error: null });
    },

    newConversation() {
      patchChat((chat) => (chat.activeTurnId ? {} : { conversationId: null, messages: [], error: null }));
    },

    loadConversation(detail: ConversationDetail) {
      patchChat((chat) => (chat.activeTurnId ? {} : { conversationId: detail.id, messages: detail.messages.map(fromStored), error: null }));
    },

    receiveJudgment({ turnId, scores }) {
      patchChat((chat) => {
        // A null-prototype copy: a turn id is a key from the wire, never a path to a prototype.
        const next: Record<string, AnswerScores> = Object.assign(Object.create(null) as Record<string, AnswerScores>, chat.scores);
        delete next[turnId];
        next[turnId] = scores;
        const keys = Object.keys(next);
        for (const old of keys.slice(0, Math.max(0, keys.length - maxScores))) delete next[old];
        return { scores: next };
      });
    },

    attachDetails(detail: ConversationDetail) {
      const byTurn = new Map(detail.messages.filter((m) => m.role === 'assistant').map((m) => [m.turnId, m]));
      patchChat((chat) => {
        if (chat.conversationId !== detail.id) return {};
        let changed = false;
        const messages = chat.messages.map((m) => {
          const stored = m.role === 'assistant' && m.status !== 'streaming' ? byTurn.get(m.turnId) : undefined;
          if (!stored) return m;
          const traceId = m.traceId ?? stored.traceId ?? null;
          if (stored.sources.length === m.sources.length && traceId === m.traceId) return m;
          changed = true;
          return { ...m, sources: stored.sources.length ? stored.sources : m.sources, traceId };
        });
        return changed ? { messages } : {};
      });
    },
  };
}
