import { createRequire } from 'node:module';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { serviceName } from '../common/metric-names';
import { ExportTracker, QueueGate } from './export-tracker';
import type { SpanBuffer } from './span-buffer';
import { GatedLogProcessor, GatedSpanProcessor, trackLogExporter, trackMetricExporter, trackSpanExporter } from './tracked-exporters';

export type OtlpProtocol = 'http/protobuf' | 'grpc';

export interface OtelOptions {
  /** Base OTLP endpoint (e.g. http://127.0.0.1:4318); null = no export at all, and no errors. */
  endpoint: string | null;
  protocol: OtlpProtocol;
  serviceVersion: string;
  instanceId: string;
  env: NodeJS.ProcessEnv;
  spanBuffer: SpanBuffer;
  tracker: ExportTracker;
  /** Items waiting for export per signal; beyond it new items are dropped and counted. */
  queueCapacity?: number;
  metricIntervalMs?: number;
  exportTimeoutMs?: number;
}

export interface OtelProviders {
  tracerProvider: BasicTracerProvider;
  meterProvider: MeterProvider;
  loggerProvider: LoggerProvider;
  resource: Resource;
  shutdown(): Promise<void>;
}

const requireCjs = createRequire(import.meta.url);

/**
 * OTEL_RESOURCE_ATTRIBUTES (`k=v,k2=v2`, values percent-encoded) and OTEL_SERVICE_NAME, read from
 * the env the core was given (the SDK's envDetector only reads process.env).
 */
export function resourceAttributesFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of (env.OTEL_RESOURCE_ATTRIBUTES ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    try {
      attributes[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      // A malformed pair is skipped, as the spec asks, instead of failing start-up.
    }
  }
  if (env.OTEL_SERVICE_NAME) attributes['service.name'] = env.OTEL_SERVICE_NAME;
  return attributes;
}

/**
 * Per-signal URL for OTLP/HTTP: the standard `OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT` wins (the
 * exporter reads it itself when we pass no url), else `<endpoint>/v1/<signal>`.
 */
function httpUrl(options: OtelOptions, signal: 'traces' | 'metrics' | 'logs'): { url?: string } {
  if (options.env[`OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_ENDPOINT`]) return {};
  return { url: `${options.endpoint!.replace(/\/+$/, '')}/v1/${signal}` };
}

function createExporters(options: OtelOptions): { spans: SpanExporter; metrics: PushMetricExporter; logs: LogRecordExporter } {
  const timeoutMillis = options.exportTimeoutMs ?? 10_000;
  if (options.protocol === 'grpc') {
    // Loaded only when asked for: @grpc/grpc-js costs start-up time the http path does not need.
    const { OTLPTraceExporter: Trace } = requireCjs('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc');
    const { OTLPMetricExporter: Metric } = requireCjs('@opentelemetry/exporter-metrics-otlp-grpc') as typeof import('@opentelemetry/exporter-metrics-otlp-grpc');
    const { OTLPLogExporter: Log } = requireCjs('@opentelemetry/exporter-logs-otlp-grpc') as typeof import('@opentelemetry/exporter-logs-otlp-grpc');
    const url = options.endpoint!;
    return { spans: new Trace({ url, timeoutMillis }), metrics: new Metric({ url, timeoutMillis }), logs: new Log({ url, timeoutMillis }) };
  }
  return {
    spans: new OTLPTraceExporter({ ...httpUrl(options, 'traces'), timeoutMillis }),
    metrics: new OTLPMetricExporter({ ...httpUrl(options, 'metrics'), timeoutMillis }),
    logs: new OTLPLogExporter({ ...httpUrl(options, 'logs'), timeoutMillis }),
  };
}

/**
 * The OpenTelemetry providers of one core. Nothing is registered globally: the core passes its
 * tracer, meter and logger to whoever needs them, so two cores (tests) never share state.
 * Resource: service.name/version/instance.id, then OTEL_RESOURCE_ATTRIBUTES / OTEL_SERVICE_NAME.
 */
export function createOtelProviders(options: OtelOptions): OtelProviders {
  const resource = resourceFromAttributes({
    'service.name': serviceName,
    'service.version': options.serviceVersion,
    'service.instance.id': options.instanceId,
  }).merge(resourceFromAttributes(resourceAttributesFromEnv(options.env)));

  const spanProcessors: SpanProcessor[] = [options.spanBuffer];
  const logProcessors: LogRecordProcessor[] = [];
  const readers: PeriodicExportingMetricReader[] = [];

  if (options.endpoint) {
    const capacity = options.queueCapacity ?? 2048;
    const exporters = createExporters(options);
    const spanGate = new QueueGate(capacity);
    const logGate = new QueueGate(capacity);
    // The SDK queue is larger than our gate, so the SDK never drops on its own (uncounted).
    const bufferConfig = { maxQueueSize: capacity * 2, maxExportBatchSize: 512, scheduledDelayMillis: 2000, exportTimeoutMillis: (options.exportTimeoutMs ?? 10_000) + 1000 };
    spanProcessors.push(new GatedSpanProcessor(new BatchSpanProcessor(trackSpanExporter(exporters.spans, options.tracker, spanGate), bufferConfig), spanGate, options.tracker));
    logProcessors.push(new GatedLogProcessor(new BatchLogRecordProcessor({ exporter: trackLogExporter(exporters.logs, options.tracker, logGate), ...bufferConfig }), logGate, options.tracker));
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: trackMetricExporter(exporters.metrics, options.tracker),
        exportIntervalMillis: options.metricIntervalMs ?? (Number(options.env.OTEL_METRIC_EXPORT_INTERVAL) || 15_000),
        exportTimeoutMillis: options.exportTimeoutMs ?? 10_000,
      }),
    );
  }

  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors });
  const meterProvider = new MeterProvider({ resource, readers });
  const loggerProvider = new LoggerProvider({ resource, processors: logProcessors });

  return {
    tracerProvider,
    meterProvider,
    loggerProvider,
    resource,
    async shutdown() {
      // Each gets a bounded time: a dead collector must not hold the app open on quit.
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown({ timeoutMillis: 3000 }), loggerProvider.shutdown()]);
    },
  };
}
