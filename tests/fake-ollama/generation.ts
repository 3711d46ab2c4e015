/**
 * The token stream of /api/chat and /api/generate: prompt evaluation delay,
 * paced chunks, the final `done` chunk with Ollama's metrics, `stream:false`
 * answers, and the mid-response failure modes.
 *
 * Pacing: token i (1-based) is due at genStart + i / tokensPerSecond. The loop
 * writes every token that is due in one socket write (each still its own NDJSON
 * line) and sleeps until the next one is due, so high rates are exact on
 * average even though timers are coarse. With tokensPerSecond 0 or Infinity it
 * writes batches as fast as the socket accepts them and yields between batches.
 *
 * Metrics (integer nanoseconds, zero values omitted like Go's omitempty):
 * load_duration = request start -> model ready; prompt_eval_duration = the real
 * prompt-eval wait; eval_duration = generation start -> last token written
 * (so eval_count / eval_duration = the configured rate); total_duration =
 * request start -> final chunk.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Failure, FakeToolCall, ModelBehaviour } from './behaviour';
import { elapsedNs, monoNs, nowRfc3339, sleep, untilAborted, yieldToEventLoop } from './clock';
import { NdjsonWriter, sendError, sendJson } from './http-io';
import type { TokenSequence } from './tokens';
import { fnv1a } from './tokens';

export type TokenEvent =
  | { kind: 'thinking'; text: string }
  | { kind: 'content'; text: string }
  | { kind: 'tool'; name: string; arguments: Record<string, unknown>; index: number };

/** What the model generates, in order, produced on demand (replies can be a million tokens long). */
export interface EventSequence {
  readonly length: number;
  at(index: number): TokenEvent;
}

/**
 * Thinking tokens, then content tokens, then tool calls, cut to `numPredict`
 * tokens when that is > 0 (`cut` tells whether anything was cut).
 */
export function buildEvents(
  thinking: TokenSequence,
  content: TokenSequence,
  toolCalls: readonly FakeToolCall[],
  numPredict: number,
): { events: EventSequence; cut: boolean } {
  const full = thinking.length + content.length + toolCalls.length;
  const length = numPredict > 0 ? Math.min(full, numPredict) : full;
  return {
    cut: length < full,
    events: {
      length,
      at(i) {
        if (i < thinking.length) return { kind: 'thinking', text: thinking.at(i) };
        const c = i - thinking.length;
        if (c < content.length) return { kind: 'content', text: content.at(c) };
        const index = c - content.length;
        const call = toolCalls[index] ?? { name: '', arguments: {} };
        return { kind: 'tool', name: call.name, arguments: call.arguments as Record<string, unknown>, index };
      },
    },
  };
}

export interface GenerationPlan {
  endpoint: 'chat' | 'generate';
  /** The model name exactly as the client sent it (Ollama echoes it). */
  model: string;
  stream: boolean;
  behaviour: ModelBehaviour;
  /** The failure chosen for this request (an `http` failure was handled before). */
  failure: Failure | null;
  /** Tokens to send, already cut to `num_predict`. */
  events: EventSequence;
  doneReason: 'stop' | 'length';
  promptEvalCount: number;
  /**
   * /api/generate only: the prompt's token ids; the final chunk's `context` is
   * these plus one id per generated content token, at most `contextLimit` (undefined = omit).
   */
  contextPrefix?: number[];
  contextLimit: number;
  /** monoNs() when the request started. */
  startNs: bigint;
  /** Measured load duration in ns. */
  loadNs: number;
}

/** Tokens per socket write (and per event-loop turn) when streaming as fast as possible. */
const FAST_BATCH = 64;

const DEFAULT_MALFORMED_LINE = '{"model":"fake","created_at":"2025-01-01T00:00:00Z","message":{"role":"assis';

export function defaultHttpMessage(status: number): string {
  switch (status) {
    case 400:
      return 'bad request';
    case 429:
      return 'too many requests';
    case 503:
      return 'server busy, please try again.  maximum pending requests exceeded';
    default:
      return 'an error was encountered while running the model';
  }
}

function toolCallWire(event: Extract<TokenEvent, { kind: 'tool' }>) {
  return {
    id: `call_${randomBytes(4).toString('hex')}`,
    function: { index: event.index, name: event.name, arguments: event.arguments },
  };
}

/** One streamed (done:false) chunk, field order as Ollama's Go structs. */
function chunkFor(plan: GenerationPlan, event: TokenEvent): unknown {
  const created_at = nowRfc3339();
  if (plan.endpoint === 'generate') {
    if (event.kind === 'thinking') return { model: plan.model, created_at, response: '', thinking: event.text, done: false };
    return { model: plan.model, created_at, response: event.kind === 'content' ? event.text : '', done: false };
  }
  let message: Record<string, unknown>;
  if (event.kind === 'thinking') message = { role: 'assistant', content: '', thinking: event.text };
  else if (event.kind === 'tool') message = { role: 'assistant', content: '', tool_calls: [toolCallWire(event)] };
  else message = { role: 'assistant', content: event.text };
  return { model: plan.model, created_at, message, done: false };
}

interface Metrics {
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
}

/** Go's omitempty on Ollama's Metrics: zero values are not sent. */
function metricsWire(m: Metrics): Partial<Metrics> {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== 0)) as Partial<Metrics>;
}

/** Texts of the first `count` events, by kind. */
function gather(events: EventSequence, count: number) {
  let content = '';
  let thinking = '';
  const tools: Array<Extract<TokenEvent, { kind: 'tool' }>> = [];
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const e = events.at(i);
    if (e.kind === 'content') {
      content += e.text;
      ids.push(fnv1a(e.text.trim()) % 128_000);
    } else if (e.kind === 'thinking') thinking += e.text;
    else tools.push(e);
  }
  return { content, thinking, tools, ids };
}

/** The final chunk (streaming, `whole` false) or the whole answer (stream:false) after `sent` events. */
function finalObject(plan: GenerationPlan, sent: number, metrics: Metrics, whole: boolean): unknown {
  const created_at = nowRfc3339();
  const needText = whole || plan.contextPrefix !== undefined;
  const g = needText ? gather(plan.events, sent) : { content: '', thinking: '', tools: [], ids: [] };
  const content = whole ? g.content : '';
  const thinking = whole ? g.thinking : '';
  if (plan.endpoint === 'generate') {
    const context = plan.contextPrefix ? [...plan.contextPrefix, ...g.ids].slice(-plan.contextLimit) : undefined;
    return {
      model: plan.model,
      created_at,
      response: content,
      ...(thinking ? { thinking } : {}),
      done: true,
      done_reason: plan.doneReason,
      ...(context ? { context } : {}),
      ...metricsWire(metrics),
    };
  }
  const message: Record<string, unknown> = { role: 'assistant', content };
  if (thinking) message.thinking = thinking;
  if (whole && g.tools.length > 0) message.tool_calls = g.tools.map(toolCallWire);
  return { model: plan.model, created_at, message, done_reason: plan.doneReason, done: true, ...metricsWire(metrics) };
}

/** A stream:false answer cut short by `no-done`: what was generated, done:false, no metrics. */
function partialObject(plan: GenerationPlan, sent: number): unknown {
  const { content } = gather(plan.events, sent);
  if (plan.endpoint === 'generate') return { model: plan.model, created_at: nowRfc3339(), response: content, done: false };
  return { model: plan.model, created_at: nowRfc3339(), message: { role: 'assistant', content }, done: false };
}

/**
 * Runs prompt evaluation and generation for a request whose model is loaded,
 * writing to `res`. Returns when the response is finished, failed, or the
 * client/server went away (`signal`).
 */
export async function runGeneration(plan: GenerationPlan, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const { behaviour: b, failure, events } = plan;
  const writer = new NdjsonWriter(res, signal);

  const promptStart = monoNs();
  if (!(await sleep(b.promptEvalMs, signal))) return;
  const promptEvalNs = elapsedNs(promptStart);

  const fast = !(b.tokensPerSecond > 0 && Number.isFinite(b.tokensPerSecond));
  const intervalMs = fast ? 0 : 1000 / b.tokensPerSecond;
  const genStartNs = monoNs();
  const genStartMs = performance.now();
  let lastTokenNs = genStartNs;
  let sent = 0;
  let pending: string[] = [];
  const failAt = failure && failure.kind !== 'http' ? Math.min(failure.afterTokens ?? 0, events.length) : -1;
  let malformedWritten = false;

  const flush = async (): Promise<boolean> => {
    if (!plan.stream || pending.length === 0) return !signal.aborted;
    const text = pending.join('');
    pending = [];
    return writer.writeRaw(text);
  };

  for (;;) {
    if (failure && sent === failAt && !malformedWritten) {
      if (failure.kind === 'malformed') {
        malformedWritten = true;
        if (!plan.stream) {
          // A body that is not JSON: the client's response.json() fails.
          res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
          res.end(failure.line ?? DEFAULT_MALFORMED_LINE);
          return;
        }
        pending.push(`${failure.line ?? DEFAULT_MALFORMED_LINE}\n`);
      } else {
        if (!(await flush())) return;
        await failMidway(plan, failure, writer, res, signal, sent);
        return;
      }
    }
    if (sent >= events.length) break;
    if (!fast) {
      const due = genStartMs + (sent + 1) * intervalMs;
      const now = performance.now();
      if (due > now) {
        if (!(await flush())) return;
        if (!(await sleep(due - now, signal))) return;
        continue;
      }
    } else if (sent > 0 && sent % FAST_BATCH === 0) {
      // As fast as possible, but in batches: one socket write each, other I/O runs in between.
      if (!(await flush())) return;
      await yieldToEventLoop();
      if (signal.aborted) return;
    }
    if (plan.stream) pending.push(`${JSON.stringify(chunkFor(plan, events.at(sent)))}\n`);
    sent += 1;
    lastTokenNs = monoNs();
  }

  const metrics: Metrics = {
    total_duration: 0,
    load_duration: plan.loadNs,
    prompt_eval_count: plan.promptEvalCount,
    prompt_eval_duration: promptEvalNs,
    eval_count: sent,
    eval_duration: Number(lastTokenNs - genStartNs),
  };
  metrics.total_duration = elapsedNs(plan.startNs);
  if (!plan.stream) {
    sendJson(res, 200, finalObject(plan, sent, metrics, true));
    return;
  }
  pending.push(`${JSON.stringify(finalObject(plan, sent, metrics, false))}\n`);
  if (!(await flush())) return;
  writer.end();
}

async function failMidway(
  plan: GenerationPlan,
  failure: Failure,
  writer: NdjsonWriter,
  res: ServerResponse,
  signal: AbortSignal,
  sent: number,
): Promise<void> {
  switch (failure.kind) {
    case 'midstream-error': {
      const message = failure.message ?? 'an error was encountered while running the model';
      if (!plan.stream) {
        sendError(res, 500, message);
        return;
      }
      if (await writer.writeObjects([{ error: message }])) writer.end();
      return;
    }
    case 'drop':
      await writer.flushed();
      res.socket?.destroy();
      return;
    case 'stall':
      if (plan.stream && !writer.started) writer.flushHeaders();
      await untilAborted(signal);
      return;
    case 'no-done':
      if (!plan.stream) {
        sendJson(res, 200, partialObject(plan, sent));
        return;
      }
      writer.end();
      return;
    case 'http':
    case 'malformed':
      return; // handled elsewhere
  }
}
