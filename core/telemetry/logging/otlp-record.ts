import type { SeverityNumber } from '@opentelemetry/api-logs';

/** One log line as the OTLP sink receives it: already redacted, already level-filtered. */
export interface OtlpLogRecord {
  /** Epoch milliseconds. */
  timestamp: number;
  severityNumber: SeverityNumber;
  severityText: string;
  body: string;
  /** `logger.name` plus the line's context. */
  attributes: Record<string, unknown>;
  traceId?: string;
  spanId?: string;
  traceFlags?: number;
}

export type EmitOtlp = (record: OtlpLogRecord) => void;
