/**
 * Memory as the contract shows it: conversations (episodic), facts (semantic) and standing
 * instructions (procedural). Plain data; the stores live in core/memory.
 */
import type { ErrorInfo } from './errors';
import type { MessageSource, TurnStats } from './turn';
import type { ToolCallView } from './tools';

export type MemoryType = 'episodic' | 'semantic' | 'procedural';

/**
 * How a turn ended. `streaming` is only seen while it runs; a turn that was still streaming when
 * the process died is `interrupted` after the restart (its answer kept up to the last flush).
 */
export type MessageStatus = 'streaming' | 'done' | 'stopped' | 'error' | 'interrupted';

export interface ConversationMessage {
  id: string;
  turnId: string;
  role: 'user' | 'assistant';
  content: string;
  createdAt: string;
  /** The status of the turn the message belongs to. */
  status: MessageStatus;
  model: string | null;
  /** Assistant messages of finished turns. */
  stats: TurnStats | null;
  sources: MessageSource[];
  traceId: string | null;
  error: ErrorInfo | null;
  /** The tool calls of the turn (assistant messages), as the model saw their results. */
  toolCalls?: ToolCallView[];
}

export interface ConversationSummary {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  messageCount: number;
  /** For a search: the best matching text; else the start of the last message. */
  snippet: string;
}

export interface ConversationDetail extends ConversationSummary {
  messages: ConversationMessage[];
}

export interface MemoryEntry {
  id: string;
  type: 'semantic' | 'procedural';
  text: string;
  createdAt: string;
  /** `chat`: detected in a user message ("remember that ..."); `user`: added through the contract. */
  source: 'chat' | 'user';
  conversationId: string | null;
  /** Similarity to the query of a `memory.list` search (0..1), else null. */
  score: number | null;
}

export interface MemoryStatus {
  /** False when the data dir cannot be written: memory then lives only as long as the process. */
  persistent: boolean;
  journalPath: string;
  /** Why memory is not persistent, or why search is degraded; null when all is well. */
  problem: string | null;
  entries: Record<MemoryType, number>;
}

export interface ConversationsChanged {
  conversationId: string;
  change: 'updated' | 'renamed' | 'deleted';
}
