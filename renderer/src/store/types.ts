import type { ChatEventBatch, HealthState, ModelInfo, TurnStats } from '../../../core/common';
import type { ConnectionState } from '../bridge/connection';
import type { UiError } from '../bridge/errors';

export type MessageStatus = 'streaming' | 'done' | 'stopped' | 'error';

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
}

export type ModelsStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface ModelsSlice {
  list: ModelInfo[];
  /** null: the core's configured default model. */
  selected: string | null;
  status: ModelsStatus;
  error: string | null;

  loading(): void;
  loaded(list: ModelInfo[]): void;
  failed(message: string): void;
  select(name: string | null): void;
}

export interface HealthSlice {
  state: HealthState | null;
  update(state: HealthState): void;
}

export interface ConnectionSlice extends ConnectionState {
  update(state: ConnectionState): void;
}

export interface AppState {
  chat: ChatSlice;
  models: ModelsSlice;
  health: HealthSlice;
  connection: ConnectionSlice;
}
