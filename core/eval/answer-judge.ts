/**
 * The answer judge (seed 2.3, LLM-as-judge), off the answer's path: the agent hands it a turn
 * after `done` went out, and it scores the answer later through Ollama structured outputs. It
 * never delays or fails a chat: `submit` only samples and queues (no I/O, no throw); one judge
 * runs at a time (a homelab GPU serves the chat first), at most `maxWaiting` wait, and a sample
 * that finds the queue full is dropped and counted. Settings are read at each turn (live).
 */
import type { Context } from '@opentelemetry/api';
import type { AnswerJudgment } from '../common/judge';
import type { ChatOnceRequest, ChatResponse } from '../llm';
import { noopJudgeTelemetry, type JudgeTelemetry } from './judge-telemetry';
import { JudgeReplyError, judgeMessages, judgeSchemas, parseVerdict } from './judge-verdict';

/** A finished turn as the agent hands it over. */
export interface AnsweredTurn {
  turnId: string;
  conversationId: string;
  messageId: string;
  model: string;
  question: string;
  answer: string;
  /** The sources block the model saw ('' without sources). */
  context: string;
  traceId: string | null;
  /** The turn's root span context, the parent of the judge's span. */
  parent: Context | null;
}

export interface AnswerJudgeDeps {
  chat: (request: ChatOnceRequest) => Promise<ChatResponse>;
  settings: () => { sampleRate: number; model: string | null };
  onJudged: (judgment: AnswerJudgment) => void;
  telemetry?: JudgeTelemetry;
  log?: (level: 'info' | 'warn' | 'debug', message: string, context: Record<string, unknown>) => void;
  /** A judge that has not answered by then is an `error` (a local model can be slow). */
  timeoutMs?: number;
  /** Turns that may wait while a judge runs; more are dropped. */
  maxWaiting?: number;
  random?: () => number;
}

/** Tokens a judge may generate: the verdict's JSON with a 300-character explanation fits in half. */
export const judgeMaxTokens = 512;

export interface AnswerJudge {
  /** Samples the turn and queues it; returns at once and never throws. */
  submit(turn: AnsweredTurn): void;
  /** Resolves when nothing runs or waits (tests, shutdown). */
  idle(): Promise<void>;
  /** Drops what waits, aborts what runs, and resolves when it has stopped. */
  close(): Promise<void>;
}

export function createAnswerJudge(deps: AnswerJudgeDeps): AnswerJudge {
  const telemetry = deps.telemetry ?? noopJudgeTelemetry;
  const random = deps.random ?? Math.random;
  const timeoutMs = deps.timeoutMs ?? 120_000;
  const maxWaiting = deps.maxWaiting ?? 1;
  const waiting: { turn: AnsweredTurn; judgeModel: string }[] = [];
  const closer = new AbortController();
  let running: Promise<void> | null = null;
  let idleWaiters: (() => void)[] = [];

  const judgeOne = async (turn: AnsweredTurn, judgeModel: string): Promise<void> => {
    const hasSources = turn.context.trim() !== '';
    const observer = telemetry.start({ turnId: turn.turnId, model: turn.model, judgeModel, parent: turn.parent });
    let response: ChatResponse;
    try {
      response = await deps.chat({
        model: judgeModel,
        messages: judgeMessages(turn),
        format: hasSources ? judgeSchemas.withSources : judgeSchemas.withoutSources,
        // A grader should be repeatable (the same answer, the same scores), and a verdict is a
        // hundred tokens or so: a model that rambles on is cut off, and its broken JSON counted.
        options: { temperature: 0, num_predict: judgeMaxTokens },
        signal: AbortSignal.any([closer.signal, AbortSignal.timeout(timeoutMs)]),
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      observer.failed('error', message);
      deps.log?.('warn', 'the answer judge failed (the chat was not affected)', { turn_id: turn.turnId, judge_model: judgeModel, error: message });
      return;
    }
    let scores;
    try {
      scores = parseVerdict(response?.message?.content, hasSources);
    } catch (err) {
      const message = err instanceof JudgeReplyError ? err.message : `the judge's reply could not be read: ${String(err)}`;
      observer.failed('invalid', message);
      deps.log?.('warn', 'the answer judge sent an invalid verdict', { turn_id: turn.turnId, judge_model: judgeModel, error: message });
      return;
    }
    observer.succeeded(scores, { inputTokens: numberOr0(response.prompt_eval_count), outputTokens: numberOr0(response.eval_count) });
    deps.log?.('debug', 'answer judged', { turn_id: turn.turnId, judge_model: judgeModel, faithfulness: scores.faithfulness, answer_relevance: scores.answerRelevance, context_relevance: scores.contextRelevance, hallucination: scores.hallucination });
    try {
      deps.onJudged({ conversationId: turn.conversationId, turnId: turn.turnId, messageId: turn.messageId, model: turn.model, judgeModel, traceId: turn.traceId, scores });
    } catch (err) {
      deps.log?.('warn', 'a listener of the answer judge failed', { error: err instanceof Error ? err.message : String(err) });
    }
  };

  const pump = () => {
    if (running) return;
    const next = waiting.shift();
    if (!next) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
      return;
    }
    running = judgeOne(next.turn, next.judgeModel)
      // judgeOne handles its own failures; this only keeps a bug from stopping the queue.
      .catch((err: unknown) => deps.log?.('warn', 'the answer judge failed unexpectedly', { error: String(err) }))
      .finally(() => {
        running = null;
        pump();
      });
  };

  return {
    submit(turn) {
      try {
        if (closer.signal.aborted) return;
        const { sampleRate, model } = deps.settings();
        if (!(sampleRate > 0) || random() >= sampleRate) return;
        const judgeModel = model ?? turn.model;
        telemetry.prepare(turn.model);
        if (waiting.length >= maxWaiting) {
          telemetry.dropped();
          deps.log?.('debug', 'answer judge busy: sample dropped', { turn_id: turn.turnId });
          return;
        }
        waiting.push({ turn, judgeModel });
        // The judge starts in a later task: the turn that submitted ends first, whatever it does next.
        setImmediate(pump);
      } catch (err) {
        deps.log?.('warn', 'the answer judge could not take a turn', { error: String(err) });
      }
    },
    idle() {
      if (!running && waiting.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      closer.abort('closing');
      waiting.length = 0;
      await running;
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    },
  };
}

function numberOr0(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
