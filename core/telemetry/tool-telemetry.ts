import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Meter, type Span, type Tracer } from '@opentelemetry/api';
import { Counter, Histogram } from 'prom-client';
import { genAiBuckets, genAiMetricNames, metricBuckets, metricLabels as L, spanAttributes as A, spanNames, toolMetricNames, type ToolCallOutcome } from '../common/metric-names';
import type { MetricsRegistry } from './prom-metrics';
import { safely } from './safely';

export interface ToolCallStart {
  /** The tool's name, or null for a name the model made up (its span and metrics say `unknown`). */
  tool: string | null;
  callId: string;
  /** 'function' for a built-in tool, 'extension' for an MCP server's (GenAI `gen_ai.tool.type`). */
  type: 'function' | 'extension';
  source: string;
  /** The turn's root span (`agent.turn`). */
  parent: Context | null;
  arguments: unknown;
}

export interface ToolCallEnd {
  outcome: ToolCallOutcome;
  durationS: number;
  result: string;
  truncated: boolean;
  /** When the call ended (performance.now()); the span ends there. Default: now. */
  at?: number;
}

export interface ToolCallObserver {
  /** The tool call's span as a parent for what the tool does (an HTTP client span). */
  readonly context: Context | null;
  /**
   * The user pressed Run on an ask-tool: an `approved` event on the span, so the waterfall shows
   * where the wait for the person ends and the run begins (the span covers both).
   */
  approved?(): void;
  end(end: ToolCallEnd): void;
}

export interface ToolTelemetry {
  startCall(start: ToolCallStart): ToolCallObserver;
}

export interface ToolTelemetryDeps {
  tracer: Tracer;
  registry: MetricsRegistry;
  meter: Meter;
  captureContent: () => boolean;
  redact: (text: string) => string;
  report: (err: unknown) => void;
}

/**
 * One `execute_tool <name>` span per call under the turn (GenAI agent conventions), with the
 * arguments and the result only under content capture (redacted); `agent_tool_calls_total`,
 * `agent_tool_duration_seconds` and the GenAI `gen_ai.execute_tool.duration`.
 */
export function createToolTelemetry(deps: ToolTelemetryDeps): ToolTelemetry {
  const registers = [deps.registry];
  const calls = new Counter({ name: toolMetricNames.calls, help: 'Tool calls of chat turns by tool and outcome (ok, error, timeout, denied)', labelNames: [L.tool, L.status], registers });
  const duration = new Histogram({ name: toolMetricNames.duration, help: 'Time a tool call took (run only; waiting for approval is not counted)', labelNames: [L.tool], buckets: [...metricBuckets.toolDuration], registers });
  const genAiDuration = deps.meter.createHistogram(genAiMetricNames.executeToolDuration, { unit: 's', description: 'Duration of tool executions', advice: { explicitBucketBoundaries: [...genAiBuckets.seconds] } });
  return {
    startCall(start) {
      const label = start.tool ?? 'unknown';
      let span: Span | null = null;
      safely(deps.report, () => {
        span = deps.tracer.startSpan(
          spanNames.executeTool(label),
          {
            kind: SpanKind.INTERNAL,
            attributes: { [A.operationName]: 'execute_tool', [A.toolName]: label, [A.toolCallId]: start.callId, [A.toolType]: start.type, [A.toolSource]: start.source },
          },
          start.parent ?? ROOT_CONTEXT,
        );
        if (deps.captureContent()) {
          let args: string;
          try {
            args = JSON.stringify(start.arguments) ?? 'null';
          } catch {
            args = '(not serializable)';
          }
          (span as Span).setAttribute(A.toolCallArguments, deps.redact(args.slice(0, 8192)));
        }
      });
      return {
        context: span ? trace.setSpan(start.parent ?? ROOT_CONTEXT, span) : null,
        approved() {
          safely(deps.report, () => (span as Span | null)?.addEvent('approved'));
        },
        end(end) {
          safely(deps.report, () => {
            const s = span as Span | null;
            if (s) {
              s.setAttribute(A.toolTruncated, end.truncated);
              if (deps.captureContent()) s.setAttribute(A.toolCallResult, deps.redact(end.result.slice(0, 8192)));
              if (end.outcome === 'ok') s.setStatus({ code: SpanStatusCode.OK });
              else if (end.outcome === 'denied') s.addEvent('denied');
              else {
                s.setAttribute(A.errorType, end.outcome === 'timeout' ? 'timeout' : 'tool_error');
                s.setStatus({ code: SpanStatusCode.ERROR, message: end.result.slice(0, 300) });
              }
              s.end(end.at);
            }
            calls.inc({ [L.tool]: label, [L.status]: end.outcome });
            if (end.outcome !== 'denied') {
              duration.observe({ [L.tool]: label }, end.durationS);
              genAiDuration.record(end.durationS, {
                [A.operationName]: 'execute_tool',
                [A.toolName]: label,
                ...(end.outcome === 'ok' ? {} : { [A.errorType]: end.outcome === 'timeout' ? 'timeout' : 'tool_error' }),
              });
            }
          });
        },
      };
    },
  };
}

export const noopToolTelemetry: ToolTelemetry = { startCall: () => ({ context: null, end() {} }) };
