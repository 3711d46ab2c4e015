import type { TurnStats } from '../common/turn';
import type { ChatResponse } from '../llm';

const nsToSeconds = (ns: number | undefined): number => (typeof ns === 'number' && Number.isFinite(ns) ? ns / 1e9 : 0);

export interface TurnTiming {
  model: string;
  ttftSeconds: number | null;
  wallSeconds: number;
  contextWindow: number | null;
  traceId: string | null;
}

/** Stats from Ollama's final chunk (durations in nanoseconds) and what the client measured. */
export function computeTurnStats(final: ChatResponse, timing: TurnTiming): TurnStats {
  const input = final.prompt_eval_count ?? 0;
  const output = final.eval_count ?? 0;
  const evalSeconds = nsToSeconds(final.eval_duration);
  return {
    model: timing.model,
    ttft_s: timing.ttftSeconds,
    tokens_per_second: evalSeconds > 0 ? output / evalSeconds : null,
    input_tokens: input,
    output_tokens: output,
    context_window: timing.contextWindow,
    context_usage_ratio: timing.contextWindow ? (input + output) / timing.contextWindow : null,
    load_duration_s: nsToSeconds(final.load_duration),
    total_duration_s: nsToSeconds(final.total_duration),
    wall_duration_s: timing.wallSeconds,
    done_reason: final.done_reason || null,
    trace_id: timing.traceId,
  };
}
