/** A finished span as the in-app trace view draws it (from the in-process buffer, no Tempo needed). */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: 'internal' | 'server' | 'client' | 'producer' | 'consumer';
  /** Epoch milliseconds (fractional). */
  startMs: number;
  durationMs: number;
  status: 'unset' | 'ok' | 'error';
  statusMessage: string | null;
  attributes: Record<string, string | number | boolean | string[] | number[] | boolean[]>;
  events: { name: string; timeMs: number; attributes: Record<string, unknown> }[];
}

export type ExportStatus = 'off' | 'ok' | 'failing' | 'paused';
export type TelemetrySignal = 'traces' | 'metrics' | 'logs';

/** Health of the OTLP export, part of the health state (tray, UI strip, /api/v1/health). */
export interface ExportHealth {
  status: ExportStatus;
  endpoint: string | null;
  protocol: 'http/protobuf' | 'grpc' | null;
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  lastError: string | null;
  dropped: Record<TelemetrySignal, number>;
}

/** A live sample while a turn streams, at most ~10 per second, for the gauges. */
export interface TurnSample {
  turnId: string;
  model: string;
  /** Set once the first chunk arrived. */
  ttftS: number | null;
  /** Output chunks so far / time since the first chunk (client view, before Ollama's final numbers). */
  tokensPerSecond: number | null;
  outputTokens: number;
  elapsedS: number;
  contextWindow: number | null;
  /** Final value once the turn is done. */
  contextUsageRatio: number | null;
  final: boolean;
}

/**
 * W3C trace context as it crossed a transport (the `traceparent`, `tracestate` and `baggage`
 * headers of an HTTP request): work started for that request joins the caller's trace. Opaque
 * strings here; core/telemetry/trace-context.ts parses them, and ignores what is malformed.
 */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
  baggage?: string;
}
