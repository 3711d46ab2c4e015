import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { LogAttributes, Logger as OtelLogger } from '@opentelemetry/api-logs';
import type { EmitOtlp } from './otlp-record';

/**
 * Forwards records to an OpenTelemetry logger (from the SDK's LoggerProvider). The span goes in
 * as a context, which is how the SDK reads trace_id/span_id for the exported record; without one
 * the root context, so the SDK does not borrow whatever span happens to be active.
 */
export function otlpLogSink(otelLogger: OtelLogger): EmitOtlp {
  return (record) => {
    const spanContext =
      record.traceId && record.spanId
        ? trace.setSpanContext(ROOT_CONTEXT, {
            traceId: record.traceId,
            spanId: record.spanId,
            traceFlags: record.traceFlags ?? 0,
          })
        : ROOT_CONTEXT;
    otelLogger.emit({
      timestamp: record.timestamp,
      severityNumber: record.severityNumber,
      severityText: record.severityText,
      body: record.body,
      attributes: record.attributes as LogAttributes,
      context: spanContext,
    });
  };
}
