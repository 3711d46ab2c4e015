import type { Context } from '@opentelemetry/api';
import { BrunoError } from '../common/errors';
import type { MessageSource } from '../common/turn';
import type { TraceCarrier, TurnSample } from '../common/telemetry';
import type { TurnEndEvent, TurnEvent } from '../common/turn';
import type { ToolCallView } from '../common/tools';
import { classifyOllamaError, missingDoneMessage, reloadThresholdNs, type ChatResponse, type ContextWindowResolver, type Message, type OllamaClient, type ToolCall } from '../llm';
import type { ConversationStore, StoredMessage, TurnMemory, TurnOutcome, TurnRecorder } from '../memory';
import type { AnsweredTurn } from '../eval';
import { noopTurnTelemetry, type TurnTelemetry } from '../telemetry/turn-telemetry';
import { createSampleThrottle } from './sample-throttle';
import { startStreamWatchdog } from './stream-watchdog';
import { createApprovalGate, type ApprovalGate } from './approvals';
import { lastRoundNote, prepareToolOffer, runToolRound, type ToolOffer, type TurnTools } from './tool-round';
import { computeTurnStats } from './turn-stats';
import type { Logger } from '../telemetry/logging';

export interface ChatTurnDeps {
  client: OllamaClient;
  conversations: ConversationStore;
  /** Facts and standing instructions recalled into the prompt (none without it). */
  memory?: TurnMemory;
  /** Sources from the knowledge base for the prompt; null when there is nothing to retrieve from. */
  /**
   * `until` settles at the turn's first token (or its end): the knowledge base holds a running
   * ingestion's new work until then, so the chat request does not queue behind it (bounded there).
   */
  retrieve?: (query: string, options: { parent?: Context; signal?: AbortSignal; until?: Promise<unknown> }) => Promise<{ sources: MessageSource[]; promptBlock: string } | null>;
  /** A part of the turn that failed without failing the turn (retrieval, memory). */
  warn?: (message: string, detail?: unknown) => void;
  limits: { firstChunkTimeoutMs: number; idleChunkTimeoutMs: number };
  newId: () => string;
  contextWindows?: ContextWindowResolver;
  telemetry?: TurnTelemetry;
  /** Live samples for the gauges, throttled here. */
  onSample?: (sample: TurnSample) => void;
  now?: () => number;
  clockIso?: () => string;
  /** Tools the model may call (tool-round.ts); without it the turn never offers any. */
  tools?: TurnTools;
  /**
   * Told about every answered turn once its `done` went out and it was recorded (the answer
   * judge samples these). Must return at once; a throw costs a warning, never the turn.
   */
  onAnswered?: (turn: AnsweredTurn) => void;
  /** `BRUNO_LOG_LEVEL=debug`: the turn's stages (context, each model round, tools, the end). */
  log?: Pick<Logger, 'debug' | 'isLevelEnabled'>;
}

export interface ChatTurnRequest {
  turnId: string;
  conversationId: string;
  model: string;
  message: string;
  /** A person answers 'ask' tools through `approvals` (chat.approve); else they are refused. */
  canApprove?: boolean;
  approvals?: ApprovalGate;
  /** W3C trace context to join (the turn's root span becomes a child of it). */
  trace?: TraceCarrier;
}

const noRecorder: TurnRecorder = { progress() {}, async end() {} };

/**
 * One chat turn: recall (memory) -> prompt (instructions + facts, history, the new message) ->
 * Ollama stream -> events, with the turn recorded as it happens: the user message while the
 * request travels (before any of the answer), the answer flushed while it streams (by the store,
 * off this loop), the end state right after `done`. It never throws and never hangs: every ending is
 * one `done` or one `error` event, returned and emitted. `controller` is the turn's own: aborting
 * it stops the turn as "cancelled".
 * The hot loop works per network read (a batch of chunks): one clock read, one token event and one
 * recorder call per read; telemetry is told about the first chunk and the end, and records the
 * turn after `done` went out.
 */
export async function runChatTurn(deps: ChatTurnDeps, request: ChatTurnRequest, emit: (event: TurnEvent) => void, controller: AbortController): Promise<TurnEndEvent> {
  const now = deps.now ?? (() => performance.now());
  const clockIso = deps.clockIso ?? (() => new Date().toISOString());
  const startedAt = now();
  let watchdog = startStreamWatchdog(controller, deps.limits, now);
  const samples = createSampleThrottle(deps.onSample ?? (() => {}));
  let chunks = 0;
  let firstChunkAt: number | null = null;
  let firstTokenSeen = (): void => {};
  const firstToken = new Promise<void>((resolve) => (firstTokenSeen = resolve));
  let answer = '';
  let final: ChatResponse | null = null;
  let observer: ReturnType<TurnTelemetry['startTurn']> | null = null;
  let recorder: TurnRecorder = noRecorder;
  let begun: Promise<unknown> = Promise.resolve();
  let sources: MessageSource[];
  // Tool rounds: the calls of the round being read, and what the turn did with tools so far.
  const roundCalls: ToolCall[] = [];
  const toolViews: ToolCallView[] = [];
  let rounds = 1;
  let toolMs = 0;
  // The telemetry of a tool round (the round's `chat` span and token counters, each call's
  // `execute_tool` span and metrics) is recorded while the next request travels, not between
  // the tool's result and that request: the spans end at the times they were given, nothing is
  // dropped (a crash loses unexported spans either way), and all of it runs before the turn ends
  // (flushed at the latest before `done` or the error).
  const travelling: Array<() => void> = [];
  const deferTelemetry = (work: () => void) => void travelling.push(work);
  const flushTelemetry = () => {
    for (const work of travelling.splice(0)) work();
  };

  const liveSample = (t: number, isFinal: boolean, ratio: number | null = null, window: number | null = null): TurnSample => {
    const sinceFirst = firstChunkAt === null ? 0 : (t - firstChunkAt) / 1000;
    return {
      turnId: request.turnId,
      model: request.model,
      ttftS: firstChunkAt === null ? null : (firstChunkAt - startedAt) / 1000,
      tokensPerSecond: sinceFirst > 0 && chunks > 1 ? (chunks - 1) / sinceFirst : null,
      outputTokens: chunks,
      elapsedS: (t - startedAt) / 1000,
      contextWindow: window,
      contextUsageRatio: ratio,
      final: isFinal,
    };
  };

  // Built only when debug lines are kept: a turn at info pays one boolean check per stage.
  const debugOn = deps.log?.isLevelEnabled('debug') ?? false;
  const stage = (name: string, fields: Record<string, unknown>) => {
    if (!debugOn) return;
    try {
      deps.log!.debug(`turn stage: ${name}`, { component: 'agent', turn_id: request.turnId, elapsed_ms: Math.round(now() - startedAt), ...fields }, observer?.spanContext ?? undefined);
    } catch {
      // A debug line never costs the turn.
    }
  };
  /** How long one of the parallel preparations took, for the debug line. */
  const timed = <T>(work: Promise<T> | undefined, into: { ms: number | null }): Promise<T> | undefined => {
    if (!debugOn || !work) return work;
    const began = now();
    return work.finally(() => (into.ms = Math.round((now() - began) * 10) / 10));
  };
  const prepMs = { recall: { ms: null as number | null }, retrieval: { ms: null as number | null }, tools: { ms: null as number | null } };

  const userMessage: StoredMessage = { id: deps.newId(), role: 'user', content: request.message, createdAt: clockIso() };
  const assistantId = deps.newId();
  const outcome = (status: TurnOutcome['status'], rest: Partial<TurnOutcome> = {}): TurnOutcome => ({
    status,
    assistantId,
    answer,
    model: request.model,
    stats: null,
    sources: [],
    traceId: observer?.traceId ?? null,
    error: null,
    ...(toolViews.length ? { toolCalls: toolViews } : {}),
    ...rest,
  });
  try {
    observer = (deps.telemetry ?? noopTurnTelemetry).startTurn({ turnId: request.turnId, conversationId: request.conversationId, model: request.model, host: deps.client.host, ...(request.trace ? { trace: request.trace } : {}) });
    // The history, memory recall (which may embed the message), knowledge-base retrieval and the
    // tool offer (which may ask /api/show once per model) are independent: they run side by side,
    // so the request waits for the slowest of them, not for their sum. Recall or retrieval failing
    // only leaves its part out of the prompt; the history failing fails the turn.
    const [history, recalled, retrieved, offer] = await Promise.all([
      deps.conversations.history(request.conversationId),
      timed(deps.memory?.prepare({ conversationId: request.conversationId, message: request.message, parent: observer.context, signal: controller.signal }), prepMs.recall)?.catch(() => null),
      timed(deps.retrieve?.(request.message, { ...(observer.context ? { parent: observer.context } : {}), signal: controller.signal, until: firstToken }), prepMs.retrieval)?.catch((err: unknown) => {
        deps.warn?.('knowledge-base retrieval failed; answering without sources', err);
        return null;
      }),
      timed(prepareToolOffer(deps.tools, request.model, controller.signal), prepMs.tools)!.catch((err: unknown): ToolOffer | null => {
        deps.warn?.('tools could not be prepared; answering without tools', err);
        return null;
      }),
    ]);
    sources = retrieved?.sources ?? [];
    stage('context ready', {
      history_messages: history.length,
      recall_ms: prepMs.recall.ms,
      memory_recalled: !!recalled?.system,
      retrieval_ms: prepMs.retrieval.ms,
      sources: sources.length,
      tools_ms: prepMs.tools.ms,
      tools_offered: offer?.wire.length ?? 0,
    });
    const systemText = [recalled?.system, sources.length ? retrieved!.promptBlock : null].filter(Boolean).join('\n\n');
    const system: Message[] = systemText ? [{ role: 'system', content: systemText }] : [];
    const messages: Message[] = [...system, ...[...history, userMessage].map(({ role, content }) => ({ role, content }))];
    // A read's text is joined once (one flat string, not a chain of one-token pieces): it is what
    // the events carry, the answer grows by it, and the journal serializes it.
    const parts: string[] = [];
    const flush = (): string => {
      const text = parts.length === 1 ? parts[0]! : parts.join('');
      parts.length = 0;
      if (text) answer += text;
      return text;
    };
    // Each pass is one model request; a round that asked for tools runs them and asks again.
    for (;;) {
      const withTools = offer !== null && rounds <= offer.limits.maxRounds;
      observer.prompt(messages);
      stage('model request', { round: rounds, model: request.model, messages: messages.length, with_tools: withTools });
      watchdog.requestSent();
      const opening = deps.client.chatStream({ model: request.model, messages, ...(withTools ? { tools: offer.wire } : {}), signal: controller.signal });
      // Like the question's journal write below: once the request is on its socket.
      if (travelling.length) setImmediate(flushTelemetry);
      // The question is recorded while the request travels: a setImmediate runs once fetch has put
      // the request on its socket (in this task's microtasks) and before any of the answer is read
      // (a later poll), so the journal write is on disk before the answer starts and adds nothing to
      // the time to first token. The store's disk sync follows off the turn's path.
      if (rounds === 1) {
        begun = new Promise<void>((resolve) => setImmediate(resolve))
          .then(() => deps.conversations.beginTurn({ conversationId: request.conversationId, turnId: request.turnId, model: request.model, user: userMessage }))
          .catch(() => noRecorder)
          .then((r) => (recorder = r));
      }
      const stream = await opening;
      const roundStart = answer.length;
      roundCalls.length = 0;
      for await (const batch of stream) {
        // One clock read per network read, shared by the watchdog, TTFT and the sample throttle.
        const t = now();
        watchdog.touch(t);
        for (const chunk of batch) {
          const message = chunk.message;
          const thinking = message?.thinking;
          const content = message?.content;
          if ((thinking || content) && firstChunkAt === null) {
            firstChunkAt = t;
            firstTokenSeen();
            observer.firstChunk((firstChunkAt - startedAt) / 1000);
          }
          if (thinking) {
            // Keep the order of thinking and answer text when one read carries both.
            const before = flush();
            if (before) emit({ type: 'token', text: before });
            emit({ type: 'thinking', text: thinking });
          }
          if (content) {
            chunks++;
            parts.push(content);
          }
          // Tool calls come whole in a done:false chunk (Ollama parses them before sending); what
          // they hold is untrusted and read by runToolRound.
          if (message?.tool_calls !== undefined && Array.isArray(message.tool_calls)) for (const call of message.tool_calls) roundCalls.push(call);
          if (chunk.done) final = chunk;
        }
        const text = flush();
        if (text) {
          recorder.progress(answer, assistantId);
          emit({ type: 'token', text });
          if (samples.due(t)) samples.send(liveSample(t, false), t);
        }
      }
      if (!final) throw new Error(missingDoneMessage);
      watchdog.stop();
      observer.streamEnded();
      stage('model round ended', { round: rounds, chunks, tool_calls: roundCalls.length, done_reason: final.done_reason ?? null, eval_count: final.eval_count ?? null });
      if (!withTools || roundCalls.length === 0) break;
      // A tool round: the stream's watchdog is off while tools run (their own timeouts apply).
      observer.roundEnded(final, deferTelemetry);
      // At most 32 calls a round: a model that asks for hundreds is looping, not querying.
      const round = await runToolRound(roundCalls.slice(0, 32), answer.slice(roundStart), {
        offer,
        canApprove: request.canApprove ?? false,
        approvals: request.approvals ?? createApprovalGate(),
        emit: (call) => emit({ type: 'tool', call }),
        signal: controller.signal,
        parent: observer.context,
        telemetry: deps.tools?.telemetry,
        audit: deps.tools?.audit,
        newId: deps.newId,
        now,
        defer: deferTelemetry,
      });
      toolViews.push(...round.views);
      toolMs += round.runMs;
      stage('tools ran', { round: rounds, calls: round.views.map((v) => ({ tool: v.name, status: v.status, duration_ms: v.durationMs ?? null })), run_ms: Math.round(round.runMs) });
      messages.push(...round.messages);
      rounds++;
      // Past the round limit the model answers without tools, told why.
      if (rounds > offer.limits.maxRounds) messages.push(lastRoundNote);
      final = null;
      watchdog = startStreamWatchdog(controller, deps.limits, now);
    }

    flushTelemetry();
    const window = await deps.contextWindows?.resolve(final.model || request.model, { reloaded: (final.load_duration ?? 0) > reloadThresholdNs }) ?? null;
    const stats = computeTurnStats(final, {
      model: final.model || request.model,
      ttftSeconds: firstChunkAt === null ? null : (firstChunkAt - startedAt) / 1000,
      wallSeconds: (now() - startedAt) / 1000,
      contextWindow: window?.tokens ?? null,
      traceId: observer.traceId,
    });
    if (offer) Object.assign(stats, { model_rounds: rounds, tool_calls: toolViews.length, tool_duration_s: toolMs / 1000 });
    await begun;
    const t = now();
    samples.send(liveSample(t, true, stats.context_usage_ratio, stats.context_window), t);
    const done: TurnEndEvent = { type: 'done', conversationId: request.conversationId, messageId: assistantId, stats, sources };
    try {
      emit(done);
    } catch (err) {
      // The answer is complete: a listener that fails on it must not make it a failed turn.
      deps.warn?.('a listener of the turn failed on its done event', err);
    }
    // The bookkeeping comes once the answer is out, in the same task: nothing else runs in between,
    // and it is all done before `finished` resolves. The store applies the end record to its state
    // (the next turn's history sees it) and writes it; its disk sync follows in the background
    // and the store's close() waits for it. Then the telemetry records the turn (spans, metrics,
    // the log line); its times end with the stream (streamEnded above), not here.
    void recorder.end(outcome('done', { model: stats.model, stats, sources })).catch(() => {});
    observer.succeeded({ final, stats, answer, window, chunks });
    if (deps.onAnswered) {
      try {
        // What the answer may be grounded in: the sources block and the tools' results.
        const toolResults = messages.filter((m) => m.role === 'tool').map((m) => `Result of the tool ${m.tool_name ?? ''}:\n${m.content}`);
        const context = [sources.length ? retrieved!.promptBlock : '', ...toolResults].filter(Boolean).join('\n\n');
        deps.onAnswered({ turnId: request.turnId, conversationId: request.conversationId, messageId: assistantId, model: stats.model, question: request.message, answer, context, traceId: observer.traceId, parent: observer.context });
      } catch (err) {
        deps.warn?.('the answered-turn listener failed (the turn is done)', err);
      }
    }
    stage('done', { rounds, output_tokens: stats.output_tokens, ttft_s: stats.ttft_s, tool_calls: toolViews.length });
    return done;
  } catch (err) {
    const abortReason = watchdog.fired?.reason ?? (controller.signal.aborted ? 'cancelled' : undefined);
    const error =
      err instanceof BrunoError
        ? err
        : classifyOllamaError(err, { host: deps.client.host, model: request.model, abortReason, abortAfterMs: watchdog.fired?.afterMs ?? 0, chunksReceived: chunks });
    flushTelemetry();
    observer?.failed(error, { chunks, wallS: (now() - startedAt) / 1000 });
    stage('failed', { rounds, chunks, error_type: error.code });
    // A stopped answer stays part of the conversation (the user saw it and may refer to it); a
    // failed one is recorded but left out of the history, so "try again" does not send it twice.
    await begun;
    void recorder.end(outcome(error.code === 'cancelled' ? 'stopped' : 'error', { error: error.code === 'cancelled' ? null : error.toInfo() })).catch(() => {});
    const t = now();
    samples.send(liveSample(t, true), t);
    const event: TurnEndEvent = { type: 'error', code: error.code, message: error.message };
    emit(event);
    return event;
  } finally {
    firstTokenSeen();
    watchdog.stop();
  }
}
