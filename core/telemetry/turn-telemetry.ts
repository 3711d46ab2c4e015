import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type SpanContext, type Tracer } from '@opentelemetry/api';
import type { BrunoError } from '../common/errors';
import { metricLabels as L, providerName, spanAttributes as A, spanNames } from '../common/metric-names';
import type { TurnStats } from '../common/turn';
import type { TraceCarrier } from '../common/telemetry';
import { extractTraceContext } from './trace-context';
import type { ChatResponse, ContextWindow, Message } from '../llm';
import type { GenAiMetrics } from './genai-metrics';
import type { PromMetrics } from './prom-metrics';
import { safely } from './safely';

export interface TurnStart {
  turnId: string;
  conversationId: string;
  model: string;
  host: string;
  /**
   * The prompt. Given here, the `chat <model>` span starts at once; left out, it starts when
   * `prompt()` is called, so work done before the request (memory recall) is not counted in it.
   */
  messages?: Message[];
  /** The caller's W3C trace context: the root span is its child (a malformed one is ignored). */
  trace?: TraceCarrier;
}

export interface TurnSuccess {
  final: ChatResponse;
  stats: TurnStats;
  answer: string;
  window: ContextWindow | null;
  chunks: number;
}

/** What one turn reports; every method is safe to call and never throws. */
export interface TurnObserver {
  /** The turn's trace id, known from the start so events and stats can carry it. */
  readonly traceId: string | null;
  /** The chat span's context once it started, else the root's. */
  readonly spanContext: SpanContext | null;
  /** The root span (`agent.turn`) as a parent context for the turn's other steps (memory, RAG). */
  readonly context: Context | null;
  /** The prompt is ready and the request starts: opens `chat <model>` if `startTurn` did not. */
  prompt(messages: Message[]): void;
  firstChunk(ttftS: number): void;
  /**
   * The last chunk was read. The chat span and the request's duration end here, so `succeeded`
   * may come later (after the answer was delivered) without counting what came in between.
   */
  streamEnded(): void;
  /**
   * A model round that asked for tools ended: its `chat <model>` span ends with that round's
   * usage (at the time of `streamEnded`), and the next `prompt()` opens the next round's span
   * (tool spans sit between them). The span is detached at once; ending it and counting the tokens
   * go to `defer` when given (the turn runs them while its next request travels).
   */
  roundEnded(final: ChatResponse, defer?: (work: () => void) => void): void;
  succeeded(result: TurnSuccess): void;
  failed(error: BrunoError, info: { chunks: number; wallS: number }): void;
}

export interface TurnTelemetry {
  startTurn(start: TurnStart): TurnObserver;
}

export type TelemetryLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, context: Record<string, unknown>, span: SpanContext | null) => void;

export interface TurnTelemetryDeps {
  tracer: Tracer;
  prom: PromMetrics;
  genAi: GenAiMetrics;
  agentId: string;
  /** Prompt and completion in spans only when the user opted in, and then redacted. */
  captureContent: () => boolean;
  redact: (text: string) => string;
  log: TelemetryLog;
  report: (err: unknown) => void;
  /** The seed's slow-generation thresholds (settings telemetry.slow*, live); 0 turns one off. */
  slow?: () => SlowThresholds;
}

export interface SlowThresholds {
  firstTokenMs: number;
  tokensPerSecond: number;
}

/**
 * Tokens per second over fewer output tokens than this says more about the prompt than the
 * model (a two-token answer's rate is noise), so the slow-generation warning skips such turns.
 */
const minTokensForRate = 16;

function serverOf(host: string): { address: string; port: number } {
  try {
    const url = new URL(host);
    return { address: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) };
  } catch {
    return { address: host, port: 0 };
  }
}

/** Spans (agent.turn > chat <model>), Prometheus and GenAI metrics, and a log line per turn. */
export function createTurnTelemetry(deps: TurnTelemetryDeps): TurnTelemetry {
  const { prom, genAi, agentId } = deps;
  // The host changes only when the settings do; parsing its URL on every turn is wasted work.
  let lastServer: { host: string; server: ReturnType<typeof serverOf> } | null = null;
  return {
    startTurn(start) {
      if (lastServer?.host !== start.host) lastServer = { host: start.host, server: serverOf(start.host) };
      const server = lastServer.server;
      let startedAt = performance.now();
      let endedAt: number | null = null;
      let root: Span | null = null;
      let chat: Span | null = null;
      // In flight from here to succeeded/failed; queued until the first chunk (or the end).
      let queued = true;
      let ended = false;
      safely(deps.report, () => {
        prom.turnsInFlight.inc();
        prom.turnsQueued.inc();
      });
      const leaveQueue = () => {
        if (!queued) return;
        queued = false;
        prom.turnsQueued.dec();
      };
      const leave = () => {
        if (ended) return;
        ended = true;
        leaveQueue();
        prom.turnsInFlight.dec();
      };
      // The caller's context (its span, its baggage) is the parent; without one the turn is a root.
      const parent = extractTraceContext(start.trace);
      safely(deps.report, () => {
        root = deps.tracer.startSpan(spanNames.turn, { attributes: { [A.turnId]: start.turnId, [A.conversationId]: start.conversationId } }, parent);
      });
      const context = root ? trace.setSpan(parent, root) : null;
      const startChat = (messages: Message[]) => safely(deps.report, () => {
        startedAt = performance.now();
        chat = deps.tracer.startSpan(
          spanNames.chat(start.model),
          {
            kind: SpanKind.CLIENT,
            attributes: {
              [A.operationName]: 'chat',
              [A.providerName]: providerName,
              [A.requestModel]: start.model,
              [A.requestStream]: true,
              [A.serverAddress]: server.address,
              [A.serverPort]: server.port,
              [A.llmRequestType]: 'chat',
            },
          },
          context ?? ROOT_CONTEXT,
        );
        if (deps.captureContent()) {
          const captured = messages.map((m) => ({ role: m.role, parts: [{ type: 'text', content: deps.redact(m.content) }] }));
          (chat as Span).setAttribute(A.inputMessages, JSON.stringify(captured));
        }
      });
      if (start.messages) startChat(start.messages);
      const currentSpanContext = () => (chat as Span | null)?.spanContext() ?? (root as Span | null)?.spanContext() ?? null;
      const spanContext = currentSpanContext();
      const sampled = !!spanContext && (spanContext.traceFlags & 1) === 1;
      const traceId = spanContext?.traceId ?? null;
      // prom-client's types only allow exemplar labels that are also metric labels; OpenMetrics
      // allows any, and the trace id must never be a metric label (unbounded), so cast here.
      const ex = (sampled && traceId ? { exemplarLabels: { trace_id: traceId } } : {}) as object;
      const genAiAttrs = {
        [A.operationName]: 'chat',
        [A.providerName]: providerName,
        [A.requestModel]: start.model,
        [A.serverAddress]: server.address,
        [A.serverPort]: server.port,
      };

      /** The seed's "High LLM latency detected" warnings (observability guide 1.1), with their thresholds. */
      const slowWarnings = (model: string, stats: TurnStats, span: SpanContext | null) => {
        const slow = deps.slow?.();
        if (!slow) return;
        if (slow.firstTokenMs > 0 && stats.ttft_s !== null && stats.ttft_s * 1000 > slow.firstTokenMs) {
          deps.log('warn', 'Slow generation: the first token took longer than the threshold', { component: 'inference_monitor', model, latency_ms: Math.round(stats.ttft_s * 1000), threshold_ms: slow.firstTokenMs, load_duration_seconds: stats.load_duration_s }, span);
        }
        if (slow.tokensPerSecond > 0 && stats.tokens_per_second !== null && stats.output_tokens >= minTokensForRate && stats.tokens_per_second < slow.tokensPerSecond) {
          deps.log('warn', 'Slow generation: fewer tokens per second than the threshold', { component: 'inference_monitor', model, tokens_per_second: Math.round(stats.tokens_per_second * 100) / 100, threshold_tokens_per_second: slow.tokensPerSecond, output_tokens: stats.output_tokens }, span);
        }
      };

      const observer: TurnObserver = {
        traceId,
        get spanContext() {
          return currentSpanContext();
        },
        context,
        prompt(messages) {
          if (!chat) startChat(messages);
        },
        firstChunk(ttftS) {
          safely(deps.report, leaveQueue);
          safely(deps.report, () => {
            (chat as Span | null)?.setAttribute(A.timeToFirstChunk, ttftS);
            prom.timeToFirstToken.observe({ labels: { [L.model]: start.model, [L.agentId]: agentId }, value: ttftS, ...ex });
            genAi.timeToFirstChunk.record(ttftS, genAiAttrs);
          });
        },
        streamEnded() {
          endedAt = performance.now();
        },
        roundEnded(final, defer) {
          const s = chat as Span | null;
          const at = endedAt ?? performance.now();
          chat = null;
          endedAt = null;
          const work = () => safely(deps.report, () => {
            const input = final.prompt_eval_count ?? 0;
            const output = final.eval_count ?? 0;
            s?.setAttributes({
              [A.responseModel]: final.model || start.model,
              [A.finishReasons]: ['tool_calls'],
              [A.inputTokens]: input,
              [A.outputTokens]: output,
              [A.llmTotalTokens]: input + output,
            });
            s?.setStatus({ code: SpanStatusCode.OK });
            s?.end(at);
            const labels = { [L.model]: start.model, [L.agentId]: agentId };
            prom.inputTokens.inc({ ...labels, [L.operation]: 'chat' }, input);
            prom.outputTokens.inc({ ...labels, [L.operation]: 'chat' }, output);
            prom.totalTokens.inc(labels, input + output);
          });
          if (defer) defer(work);
          else work();
        },
        succeeded({ final, stats, answer, window, chunks }) {
          safely(deps.report, leave);
          safely(deps.report, () => {
            const model = start.model;
            const chatEnd = endedAt ?? performance.now();
            const wallS = (chatEnd - startedAt) / 1000;
            const input = stats.input_tokens;
            const output = stats.output_tokens;
            const serverTtft = ((final.load_duration ?? 0) + (final.prompt_eval_duration ?? 0)) / 1e9;
            const attrs = { ...genAiAttrs, [A.responseModel]: final.model || model };
            const s = chat as Span | null;
            s?.setAttributes({
              [A.responseModel]: final.model || model,
              [A.finishReasons]: [stats.done_reason ?? 'stop'],
              [A.inputTokens]: input,
              [A.outputTokens]: output,
              [A.llmTotalTokens]: input + output,
              [A.ollamaTotalDurationNs]: final.total_duration ?? 0,
              [A.ollamaLoadDurationNs]: final.load_duration ?? 0,
              [A.ollamaPromptEvalDurationNs]: final.prompt_eval_duration ?? 0,
              [A.ollamaEvalDurationNs]: final.eval_duration ?? 0,
              [A.ollamaServerTtftS]: serverTtft,
              ...(stats.tokens_per_second !== null ? { [A.ollamaTokensPerSecond]: Math.round(stats.tokens_per_second * 100) / 100 } : {}),
              ...(window ? { [A.contextWindow]: window.tokens, [A.contextWindowSource]: window.source } : {}),
              ...(stats.context_usage_ratio !== null ? { [A.contextUsageRatio]: stats.context_usage_ratio } : {}),
            });
            if (deps.captureContent()) {
              s?.setAttribute(A.outputMessages, JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: deps.redact(answer) }], finish_reason: stats.done_reason ?? 'stop' }]));
            }
            s?.setStatus({ code: SpanStatusCode.OK });
            s?.end(chatEnd);
            (root as Span | null)?.end();

            const labels = { [L.model]: model, [L.agentId]: agentId };
            prom.inputTokens.inc({ ...labels, [L.operation]: 'chat' }, input);
            prom.outputTokens.inc({ ...labels, [L.operation]: 'chat' }, output);
            prom.totalTokens.inc(labels, input + output);
            if (stats.tokens_per_second !== null) prom.tokensPerSecond.set(labels, stats.tokens_per_second);
            if (stats.context_usage_ratio !== null) prom.contextUsageRatio.set(labels, stats.context_usage_ratio);
            prom.requestDuration.observe({ labels: { ...labels, [L.operation]: 'chat' }, value: wallS, ...ex });
            if ((final.load_duration ?? 0) > 0) {
              prom.modelLoadDuration.observe({ labels: { [L.model]: model }, value: (final.load_duration ?? 0) / 1e9, ...ex });
            }
            prom.llmRequests.inc({ [L.model]: model, [L.operation]: 'chat', [L.status]: 'success' });

            genAi.tokenUsage.record(input, { ...attrs, [A.tokenType]: 'input' });
            genAi.tokenUsage.record(output, { ...attrs, [A.tokenType]: 'output' });
            genAi.operationDuration.record(wallS, attrs);
            if (stats.ttft_s !== null && chunks > 1) genAi.timePerOutputChunk.record((wallS - stats.ttft_s) / (chunks - 1), attrs);

            deps.log(
              'info',
              'Ollama chat complete',
              {
                component: 'ollama_client',
                model,
                agent_id: agentId,
                input_tokens: input,
                output_tokens: output,
                total_tokens: input + output,
                tokens_per_second: stats.tokens_per_second,
                ttft_seconds: stats.ttft_s,
                total_duration_seconds: stats.total_duration_s,
                context_usage_ratio: stats.context_usage_ratio,
              },
              currentSpanContext(),
            );
            slowWarnings(model, stats, currentSpanContext());
          });
        },
        failed(error, { wallS }) {
          safely(deps.report, leave);
          safely(deps.report, () => {
            const cancelled = error.code === 'cancelled';
            const s = chat as Span | null;
            if (cancelled) {
              s?.addEvent('cancelled by the user');
            } else {
              s?.setAttribute(A.errorType, error.code);
              s?.recordException({ name: error.code, message: error.message });
              s?.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
              (root as Span | null)?.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
            }
            s?.end();
            (root as Span | null)?.end();
            const labels = { [L.model]: start.model, [L.agentId]: agentId, [L.operation]: 'chat' };
            prom.requestDuration.observe({ labels, value: wallS, ...ex });
            prom.llmRequests.inc({ [L.model]: start.model, [L.operation]: 'chat', [L.status]: cancelled ? 'cancelled' : 'error' });
            genAi.operationDuration.record(wallS, { ...genAiAttrs, ...(cancelled ? {} : { [A.errorType]: error.code }) });
            deps.log(cancelled ? 'info' : 'error', cancelled ? 'Ollama chat stopped by the user' : 'Ollama chat failed', { component: 'ollama_client', model: start.model, agent_id: agentId, error_type: error.code, error: error.message, duration_seconds: wallS }, currentSpanContext());
          });
        },
      };
      return observer;
    },
  };
}

export const noopTurnTelemetry: TurnTelemetry = {
  startTurn: () => ({ traceId: null, spanContext: null, context: null, prompt() {}, firstChunk() {}, streamEnded() {}, roundEnded() {}, succeeded() {}, failed() {} }),
};
