import type { ErrorInfo } from '../common/errors';
import type { MessageSource } from '../common/turn';
import type { TurnStats } from '../common/turn';
import type { ToolCallView } from '../common/tools';

/** One message of a conversation, as the model sees it. */
export interface StoredMessage {
  id: string;
  role: 'user' | 'assistant' | 'system';
  content: string;
  createdAt: string;
}

export interface TurnBegin {
  conversationId: string;
  turnId: string;
  model: string;
  user: StoredMessage;
}

export interface TurnOutcome {
  status: 'done' | 'stopped' | 'error';
  /** The assistant message: its id, and the answer as far as it got (may be empty). */
  assistantId: string;
  answer: string;
  model: string;
  stats: TurnStats | null;
  sources: MessageSource[];
  traceId: string | null;
  error: ErrorInfo | null;
  /** The turn's tool calls, so the history shows them. */
  toolCalls?: ToolCallView[];
}

/** Records one turn while it runs. Every method is safe: storage trouble never fails the chat. */
export interface TurnRecorder {
  /**
   * The answer so far. Called per chunk, so it only remembers the text; the store flushes it on
   * its own schedule, off the streaming path: the first content on the next turn of the event
   * loop, then within the flush interval of its arrival, so a crash loses at most that interval.
   */
  progress(answer: string, assistantId: string): void;
  /** The final state; resolves once it is stored (durably, for a persistent store). Never rejects. */
  end(outcome: TurnOutcome): Promise<void>;
}

/**
 * Conversation history by conversation id, and the recording of each turn as it happens. The
 * episodic memory (memory-store.ts) persists it; the in-memory one here serves tests and benches.
 */
export interface ConversationStore {
  /** Finished and stopped exchanges of the conversation, oldest first (failed turns are left out). */
  history(conversationId: string): Promise<StoredMessage[]>;
  /** Records the user message as the request leaves, before any of the answer is read; resolves once it is stored. Never rejects. */
  beginTurn(turn: TurnBegin): Promise<TurnRecorder>;
}

export function createInMemoryConversationStore(): ConversationStore {
  const conversations = new Map<string, StoredMessage[]>();
  return {
    async history(conversationId) {
      return [...(conversations.get(conversationId) ?? [])];
    },
    async beginTurn(turn) {
      return {
        progress() {},
        async end(outcome) {
          // A stopped answer is still part of the conversation (the user saw it); a failed one is
          // not kept, so "try again" does not send the question twice.
          if (outcome.status === 'error') return;
          const list = conversations.get(turn.conversationId) ?? [];
          list.push(turn.user);
          if (outcome.answer) list.push({ id: outcome.assistantId, role: 'assistant', content: outcome.answer, createdAt: new Date().toISOString() });
          conversations.set(turn.conversationId, list);
        },
      };
    },
  };
}
