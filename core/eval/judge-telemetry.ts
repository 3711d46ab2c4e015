/**
 * What the answer judge reports: the seed's score histograms and hallucination counter, its own
 * health (outcomes, duration), an `evaluate_answer` span under the turn's trace, and each score as
 * the GenAI `gen_ai.evaluation.result` event, twice: on that span (what Tempo and the in-app trace
 * view show) and as a log-based event parented to the judged turn's span (the convention's form;
 * the turn's span has ended by then, so the span event cannot go on it). Every call is `safely`:
 * a failing metric or exporter costs a report, never the judge.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { Logger as OtelLogger } from '@opentelemetry/api-logs';
import { Counter, Histogram } from 'prom-client';
import type { AnswerScores } from '../common/judge';
import { evaluationEventName, judgeMetricNames as N, metricBuckets, metricLabels as L, providerName, spanAttributes as A, spanNames, type JudgeOutcome } from '../common/metric-names';
import type { MetricsRegistry } from '../telemetry/prom-metrics';
import { safely } from '../telemetry/safely';
import { hallucinationSeverity } from './judge-verdict';

export interface JudgeRun {
  turnId: string;
  model: string;
  judgeModel: string;
  /** The turn's root span context (agent.turn): the judge's span and events hang under it. */
  parent: Context | null;
}

export interface JudgeRunObserver {
  succeeded(scores: AnswerScores, usage: { inputTokens: number; outputTokens: number }): void;
  failed(outcome: Exclude<JudgeOutcome, 'ok' | 'dropped'>, message: string): void;
}

export interface JudgeTelemetry {
  /** Creates the model's series at 0, so rate() sees the first judged answer as an increase. */
  prepare(model: string): void;
  start(run: JudgeRun): JudgeRunObserver;
  dropped(): void;
}

export interface JudgeTelemetryDeps {
  registry: MetricsRegistry;
  tracer: Tracer;
  otelLogger: OtelLogger;
  report: (err: unknown) => void;
  now?: () => number;
}

const severities = ['low', 'medium', 'high'] as const;
const outcomes: readonly JudgeOutcome[] = ['ok', 'invalid', 'error', 'dropped'];

export function createJudgeTelemetry(deps: JudgeTelemetryDeps): JudgeTelemetry {
  const registers = [deps.registry];
  const now = deps.now ?? (() => performance.now());
  const buckets = [...metricBuckets.judgeScore];
  const faithfulness = new Histogram({ name: N.faithfulness, help: 'Faithfulness score (0-1) from the answer judge: claims of the answer supported by the cited sources', labelNames: [L.model], buckets, registers });
  const answerRelevance = new Histogram({ name: N.answerRelevance, help: 'Answer relevance score (0-1) from the answer judge: the answer matches the question', labelNames: [L.model], buckets, registers });
  const contextRelevance = new Histogram({ name: N.contextRelevance, help: 'Context relevance score (0-1) from the answer judge: the retrieved sources fit the question', labelNames: [L.model], buckets, registers });
  const hallucinations = new Counter({ name: N.hallucinations, help: 'Answers the judge flagged as stating what their sources do not support, by severity (from faithfulness)', labelNames: [L.model, L.severity], registers });
  const evaluations = new Counter({ name: N.evaluations, help: 'Answer judge runs by outcome (ok, invalid reply, error, dropped while busy)', labelNames: [L.status], registers });
  const duration = new Histogram({ name: N.duration, help: 'Time one answer judge call took (Ollama request and reading the verdict)', buckets: [...metricBuckets.judgeDuration], registers });
  for (const status of outcomes) evaluations.inc({ [L.status]: status }, 0);
  const prepared = new Set<string>();

  const emitEvent = (parent: Context | null, attributes: Record<string, string | number>) =>
    safely(deps.report, () => {
      const spanContext = parent ? trace.getSpanContext(parent) : undefined;
      deps.otelLogger.emit({ eventName: evaluationEventName, attributes, context: spanContext ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : ROOT_CONTEXT });
    });

  return {
    prepare(model) {
      if (prepared.has(model)) return;
      safely(deps.report, () => {
        for (const h of [faithfulness, answerRelevance, contextRelevance]) h.zero({ [L.model]: model });
        for (const severity of severities) hallucinations.inc({ [L.model]: model, [L.severity]: severity }, 0);
        // Bounded: a handful of chat models per desktop; past 50 new ones simply start on first use.
        if (prepared.size < 50) prepared.add(model);
      });
    },
    dropped() {
      safely(deps.report, () => evaluations.inc({ [L.status]: 'dropped' }));
    },
    start(run) {
      const startedAt = now();
      let span: Span | null = null;
      safely(deps.report, () => {
        span = deps.tracer.startSpan(
          spanNames.evaluateAnswer,
          { kind: SpanKind.INTERNAL, attributes: { [A.providerName]: providerName, [A.requestModel]: run.judgeModel, [A.turnId]: run.turnId } },
          run.parent ?? ROOT_CONTEXT,
        );
      });
      const finish = () => safely(deps.report, () => duration.observe((now() - startedAt) / 1000));
      return {
        succeeded(scores, usage) {
          finish();
          safely(deps.report, () => {
            const labels = { [L.model]: run.model };
            const results: { name: string; value: number; label: string }[] = [];
            if (scores.faithfulness !== null) {
              faithfulness.observe(labels, scores.faithfulness);
              results.push({ name: 'faithfulness', value: scores.faithfulness, label: scores.faithfulness >= 0.5 ? 'pass' : 'fail' });
            }
            answerRelevance.observe(labels, scores.answerRelevance);
            results.push({ name: 'answer_relevance', value: scores.answerRelevance, label: scores.answerRelevance >= 0.5 ? 'pass' : 'fail' });
            if (scores.contextRelevance !== null) {
              contextRelevance.observe(labels, scores.contextRelevance);
              results.push({ name: 'context_relevance', value: scores.contextRelevance, label: scores.contextRelevance >= 0.5 ? 'pass' : 'fail' });
            }
            if (scores.hallucination !== null) {
              if (scores.hallucination) hallucinations.inc({ ...labels, [L.severity]: hallucinationSeverity(scores.faithfulness) });
              results.push({ name: 'hallucination', value: scores.hallucination ? 1 : 0, label: scores.hallucination ? 'hallucination' : 'grounded' });
            }
            evaluations.inc({ [L.status]: 'ok' });
            const s = span as Span | null;
            for (const r of results) {
              const attributes = {
                [A.evaluationName]: r.name,
                [A.evaluationScoreValue]: r.value,
                [A.evaluationScoreLabel]: r.label,
                ...(scores.explanation ? { [A.evaluationExplanation]: scores.explanation } : {}),
              };
              s?.addEvent(evaluationEventName, attributes);
              emitEvent(run.parent, { ...attributes, [A.requestModel]: run.judgeModel });
            }
            s?.setAttributes({ [A.inputTokens]: usage.inputTokens, [A.outputTokens]: usage.outputTokens, [A.judgeOutcome]: 'ok' });
            s?.setStatus({ code: SpanStatusCode.OK });
            s?.end();
          });
        },
        failed(outcome, message) {
          finish();
          safely(deps.report, () => {
            evaluations.inc({ [L.status]: outcome });
            const s = span as Span | null;
            s?.setAttributes({ [A.errorType]: outcome === 'invalid' ? 'invalid_judge_reply' : 'judge_error', [A.judgeOutcome]: outcome });
            s?.setStatus({ code: SpanStatusCode.ERROR, message: message.slice(0, 300) });
            s?.end();
          });
        },
      };
    },
  };
}

export const noopJudgeTelemetry: JudgeTelemetry = { prepare() {}, dropped() {}, start: () => ({ succeeded() {}, failed() {} }) };
