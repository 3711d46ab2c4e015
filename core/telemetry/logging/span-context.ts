import { context, trace } from '@opentelemetry/api';

/** The part of an OpenTelemetry SpanContext a log line needs; a real SpanContext fits. */
export interface SpanContextLike {
  traceId: string;
  spanId: string;
  traceFlags: number;
}

export interface LogTrace {
  trace_id: string;
  span_id: string;
  trace_flags: string;
}

const traceIdShape = /^[0-9a-f]{32}$/;
const spanIdShape = /^[0-9a-f]{16}$/;
const invalidTraceId = '0'.repeat(32);
const invalidSpanId = '0'.repeat(16);

/** Only a usable span context is written: an all-zero or malformed id links to nothing. */
export function toLogTrace(span: SpanContextLike | undefined): LogTrace | undefined {
  if (!span || typeof span.traceId !== 'string' || typeof span.spanId !== 'string') return undefined;
  if (!traceIdShape.test(span.traceId) || span.traceId === invalidTraceId) return undefined;
  if (!spanIdShape.test(span.spanId) || span.spanId === invalidSpanId) return undefined;
  const flags = (span.traceFlags ?? 0) & 0xff;
  return { trace_id: span.traceId, span_id: span.spanId, trace_flags: flags.toString(16).padStart(2, '0') };
}

/**
 * The span active in the current OpenTelemetry context. Works once the telemetry setup has
 * registered a context manager; before that (and in tests) there is no active span.
 */
export function activeOtelSpanContext(): SpanContextLike | undefined {
  return trace.getSpanContext(context.active());
}
