import type {
  AlertsState,
  ChatEventBatch,
  ConnectionTestResult,
  ConversationDetail,
  ConversationSummary,
  ErrorInfo,
  HealthState,
  IngestProgress,
  IngestSummary,
  KbProgressEvent,
  KbSource,
  MemoryEntry,
  MemoryStatus,
  MessageSource,
  ModelInfo,
  SettingsTarget,
  SettingsUpdateResult,
  SettingsView,
  SkippedFile,
  SpanRecord,
  TurnStats,
} from '../../../core/common';
import type { ConnectionState } from '../bridge/connection';
import type { UiError } from '../bridge/errors';

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

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface ConversationsSlice {
  list: ConversationSummary[];
  query: string;
  status: LoadStatus;
  error: string | null;
  setQuery(query: string): void;
  loading(): void;
  loaded(list: ConversationSummary[]): void;
  failed(message: string): void;
  renamed(summary: ConversationSummary): void;
  removed(conversationId: string): void;
}

export interface AlertsSlice {
  state: AlertsState | null;
  /** The alerts.list call failed (the list may be stale). */
  error: string | null;
  update(state: AlertsState): void;
  failed(message: string): void;
}

export interface TraceSlice {
  traceId: string | null;
  spans: SpanRecord[];
  status: LoadStatus;
  error: string | null;
  loading(traceId: string): void;
  loaded(traceId: string, spans: SpanRecord[]): void;
  failed(traceId: string, message: string): void;
}

export interface KbJob {
  jobId: string;
  kind: 'ingest' | 'reingest';
  progress: IngestProgress | null;
  skipped: SkippedFile[];
  summary: IngestSummary | null;
  error: ErrorInfo | null;
}

export interface KbSlice {
  sources: KbSource[];
  status: LoadStatus;
  error: string | null;
  /** The last job started from this window (or seen on the event stream). */
  job: KbJob | null;
  /** An action (ingest, remove, re-ingest) failed to start. */
  actionError: string | null;
  loading(): void;
  loaded(sources: KbSource[]): void;
  failed(message: string): void;
  jobStarted(jobId: string, kind: KbJob['kind']): void;
  receive(event: KbProgressEvent): void;
  actionFailed(message: string | null): void;
}

export type MemoryFilter = 'all' | 'semantic' | 'procedural';

export interface MemorySlice {
  entries: MemoryEntry[];
  query: string;
  filter: MemoryFilter;
  status: LoadStatus;
  error: string | null;
  info: MemoryStatus | null;
  setQuery(query: string): void;
  setFilter(filter: MemoryFilter): void;
  loading(): void;
  loaded(entries: MemoryEntry[]): void;
  failed(message: string): void;
  removed(id: string): void;
  statusLoaded(info: MemoryStatus): void;
}

export interface ConnectionTestState {
  status: 'running' | 'done' | 'error';
  result: ConnectionTestResult | null;
  error: string | null;
}

export interface SettingsSlice {
  view: SettingsView | null;
  status: LoadStatus;
  error: string | null;
  saving: boolean;
  /** The last save: field errors, what applied at once, what waits for a restart. */
  result: SettingsUpdateResult | null;
  saveError: string | null;
  tests: Partial<Record<SettingsTarget, ConnectionTestState>>;
  loading(): void;
  loaded(view: SettingsView): void;
  failed(message: string): void;
  saveStarted(): void;
  saved(result: SettingsUpdateResult): void;
  saveFailed(message: string): void;
  testStarted(target: SettingsTarget): void;
  testDone(target: SettingsTarget, result: ConnectionTestResult): void;
  testFailed(target: SettingsTarget, message: string): void;
}

export const viewNames = ['chat', 'observability', 'knowledge', 'memory', 'settings'] as const;
export type ViewName = (typeof viewNames)[number];

export interface UiSlice {
  view: ViewName;
  setView(view: ViewName): void;
}

export interface AppState {
  chat: ChatSlice;
  models: ModelsSlice;
  health: HealthSlice;
  connection: ConnectionSlice;
  conversations: ConversationsSlice;
  alerts: AlertsSlice;
  trace: TraceSlice;
  kb: KbSlice;
  memory: MemorySlice;
  settings: SettingsSlice;
  ui: UiSlice;
}
