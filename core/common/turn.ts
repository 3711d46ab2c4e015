/**
 * The events of one chat turn. The same shapes travel over IPC, over the headless bridge and as
 * the NDJSON lines of the public `POST /api/v1/chat` endpoint, so there is one definition.
 */
import type { ErrorCode } from './errors';
import type { ToolCallView } from './tools';

/** A knowledge-base source an answer cites as [n]. */
export interface MessageSource {
  n: number;
  path: string;
  heading: string | null;
  snippet: string;
}

/** Stats of a finished turn. Snake case because they are also the public JSON (`ask --json`). */
export interface TurnStats {
  model: string;
  /** Client-measured: request start to the first content or thinking chunk. */
  ttft_s: number | null;
  /** Server truth: eval_count / eval_duration. */
  tokens_per_second: number | null;
  input_tokens: number;
  output_tokens: number;
  /** The context the model really has (allocated, else num_ctx, else the model maximum). */
  context_window: number | null;
  context_usage_ratio: number | null;
  load_duration_s: number;
  total_duration_s: number;
  /** Client-measured wall time of the whole turn. */
  wall_duration_s: number;
  done_reason: string | null;
  trace_id: string | null;
  /** Model requests of the turn (1 without tools; each tool round adds one). */
  model_rounds?: number;
  /** Wall time spent running tools (not generating), in seconds. */
  tool_duration_s?: number;
  /** Tool calls the model made. */
  tool_calls?: number;
}

export type TurnEvent =
  | { type: 'token'; text: string }
  | { type: 'thinking'; text: string }
  /** A tool call the model asked for, each time its status changes. */
  | { type: 'tool'; call: ToolCallView }
  | { type: 'done'; conversationId: string; messageId: string; stats: TurnStats; sources: MessageSource[] }
  | { type: 'error'; code: ErrorCode; message: string };

export type TurnEndEvent = Extract<TurnEvent, { type: 'done' | 'error' }>;

/** A batch of events of one turn, as the `chat.event` contract event carries it. */
export interface ChatEventBatch {
  turnId: string;
  conversationId: string;
  events: TurnEvent[];
}

export function isTurnEnd(event: TurnEvent): event is TurnEndEvent {
  return event.type === 'done' || event.type === 'error';
}
