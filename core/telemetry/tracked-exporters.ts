import type { Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, LogRecordProcessor, ReadableLogRecord, SdkLogRecord } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TelemetrySignal } from '../common/telemetry';
import type { ExportTracker, QueueGate } from './export-tracker';

type Callback = (result: ExportResult) => void;

/** Runs one export, reports the outcome to the tracker and frees the gate; never throws. */
function exportTracked(signal: TelemetrySignal, items: number, tracker: ExportTracker, gate: QueueGate | null, run: (cb: Callback) => void, done: Callback): void {
  const started = performance.now();
  const settle = (result: ExportResult) => {
    gate?.release(items);
    const ok = result.code === ExportResultCode.SUCCESS;
    if (ok) tracker.succeeded();
    else tracker.failed(signal, items, result.error);
    tracker.batch({ signal, items, ms: performance.now() - started, ok, ...(ok ? {} : { error: result.error?.message ?? 'export failed' }) });
    done(result);
  };
  if (tracker.isPaused) {
    gate?.release(items);
    done({ code: ExportResultCode.SUCCESS });
    return;
  }
  try {
    run(settle);
  } catch (error) {
    settle({ code: ExportResultCode.FAILED, error: error as Error });
  }
}

export function trackSpanExporter(inner: SpanExporter, tracker: ExportTracker, gate: QueueGate): SpanExporter {
  return {
    export: (spans: ReadableSpan[], done: Callback) => exportTracked('traces', spans.length, tracker, gate, (cb) => inner.export(spans, cb), done),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

export function trackLogExporter(inner: LogRecordExporter, tracker: ExportTracker, gate: QueueGate): LogRecordExporter {
  return {
    export: (logs: ReadableLogRecord[], done: Callback) => exportTracked('logs', logs.length, tracker, gate, (cb) => inner.export(logs, cb), done),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

function dataPoints(metrics: ResourceMetrics): number {
  return metrics.scopeMetrics.reduce((n, scope) => n + scope.metrics.reduce((m, metric) => m + metric.dataPoints.length, 0), 0);
}

export function trackMetricExporter(inner: PushMetricExporter, tracker: ExportTracker): PushMetricExporter {
  return {
    export: (metrics: ResourceMetrics, done: Callback) => exportTracked('metrics', dataPoints(metrics), tracker, null, (cb) => inner.export(metrics, cb), done),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
    ...(inner.selectAggregationTemporality ? { selectAggregationTemporality: inner.selectAggregationTemporality.bind(inner) } : {}),
    ...(inner.selectAggregation ? { selectAggregation: inner.selectAggregation.bind(inner) } : {}),
  };
}

/** Counts a span that the gate refuses (queue full) as dropped instead of losing it silently. */
export class GatedSpanProcessor implements SpanProcessor {
  constructor(
    private readonly inner: SpanProcessor,
    private readonly gate: QueueGate,
    private readonly tracker: ExportTracker,
  ) {}
  onStart(span: Span, context: Context): void {
    this.inner.onStart(span, context);
  }
  onEnd(span: ReadableSpan): void {
    // Unsampled spans never reach an exporter, so they take no place in the queue.
    if ((span.spanContext().traceFlags & 1) === 0) return;
    if (this.gate.tryEnter()) this.inner.onEnd(span);
    else this.tracker.drop('traces', 1);
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

export class GatedLogProcessor implements LogRecordProcessor {
  constructor(
    private readonly inner: LogRecordProcessor,
    private readonly gate: QueueGate,
    private readonly tracker: ExportTracker,
  ) {}
  onEmit(record: SdkLogRecord, context?: Context): void {
    if (this.gate.tryEnter()) this.inner.onEmit(record, context);
    else this.tracker.drop('logs', 1);
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
