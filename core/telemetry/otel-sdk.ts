import { createRequire } from 'node:module';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { effectiveMetricExportTimeoutMs, type Settings } from '../config';
import { ExportTracker, QueueGate } from './export-tracker';
import type { SpanBuffer } from './span-buffer';
import { GatedLogProcessor, GatedSpanProcessor, trackLogExporter, trackMetricExporter, trackSpanExporter } from './tracked-exporters';

export type OtlpProtocol = 'http/protobuf' | 'grpc';

/** The OTLP and SDK settings (config owns them: OTEL_* variables land there, validated). */
export type OtelSettings = Pick<
  Settings['telemetry'],
  'otlpEndpoint' | 'otlpProtocol' | 'otlpSignalEndpoints' | 'otlpHeaders' | 'otlpTimeoutMs' | 'serviceName' | 'resourceAttributes' | 'tracesSampler' | 'tracesSamplerArg' | 'metricExportIntervalMs' | 'metricExportTimeoutMs'
>;

export interface OtelOptions {
  /** otlpEndpoint null = no export at all, and no errors. */
  settings: OtelSettings;
  serviceVersion: string;
  instanceId: string;
  spanBuffer: SpanBuffer;
  tracker: ExportTracker;
  /** Items waiting for export per signal; beyond it new items are dropped and counted. */
  queueCapacity?: number;
  /** Test seams: shorter than the settings allow. */
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

/** OTEL_TRACES_SAMPLER / _ARG as the SDK specification reads them, built here from the settings. */
export function samplerFor(settings: Pick<OtelSettings, 'tracesSampler' | 'tracesSamplerArg'>): Sampler {
  const ratio = new TraceIdRatioBasedSampler(settings.tracesSamplerArg ?? 1);
  switch (settings.tracesSampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/** Per-signal URL for OTLP/HTTP: the signal's own endpoint wins, else `<endpoint>/v1/<signal>`. */
function httpUrl(settings: OtelSettings, signal: 'traces' | 'metrics' | 'logs'): string {
  return settings.otlpSignalEndpoints[signal] ?? `${settings.otlpEndpoint!.replace(/\/+$/, '')}/v1/${signal}`;
}

function createExporters(options: OtelOptions, timeoutMillis: number): { spans: SpanExporter; metrics: PushMetricExporter; logs: LogRecordExporter } {
  const { settings } = options;
  if (settings.otlpProtocol === 'grpc') {
    // Loaded only when asked for: @grpc/grpc-js costs start-up time the http path does not need.
    const { OTLPTraceExporter: Trace } = requireCjs('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc');
    const { OTLPMetricExporter: Metric } = requireCjs('@opentelemetry/exporter-metrics-otlp-grpc') as typeof import('@opentelemetry/exporter-metrics-otlp-grpc');
    const { OTLPLogExporter: Log } = requireCjs('@opentelemetry/exporter-logs-otlp-grpc') as typeof import('@opentelemetry/exporter-logs-otlp-grpc');
    const { Metadata } = requireCjs('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
    const metadata = () => {
      const m = new Metadata();
      for (const [key, value] of Object.entries(settings.otlpHeaders)) m.set(key, value);
      return m;
    };
    const url = settings.otlpEndpoint!;
    return {
      spans: new Trace({ url, timeoutMillis, metadata: metadata() }),
      metrics: new Metric({ url, timeoutMillis, metadata: metadata() }),
      logs: new Log({ url, timeoutMillis, metadata: metadata() }),
    };
  }
  const headers = { ...settings.otlpHeaders };
  return {
    spans: new OTLPTraceExporter({ url: httpUrl(settings, 'traces'), timeoutMillis, headers }),
    metrics: new OTLPMetricExporter({ url: httpUrl(settings, 'metrics'), timeoutMillis, headers }),
    logs: new OTLPLogExporter({ url: httpUrl(settings, 'logs'), timeoutMillis, headers }),
  };
}

/**
 * The OpenTelemetry providers of one core. Nothing is registered globally: the core passes its
 * tracer, meter and logger to whoever needs them, so two cores (tests) never share state.
 * Resource: OTEL_RESOURCE_ATTRIBUTES, then service.name (OTEL_SERVICE_NAME), the app's version and
 * the run's instance id, which the variables cannot change.
 */
export function createOtelProviders(options: OtelOptions): OtelProviders {
  const { settings } = options;
  const resource = resourceFromAttributes({
    ...settings.resourceAttributes,
    'service.name': settings.serviceName,
    'service.version': options.serviceVersion,
    'service.instance.id': options.instanceId,
  });

  const spanProcessors: SpanProcessor[] = [options.spanBuffer];
  const logProcessors: LogRecordProcessor[] = [];
  const readers: PeriodicExportingMetricReader[] = [];

  if (settings.otlpEndpoint) {
    const capacity = options.queueCapacity ?? 2048;
    const exportTimeoutMs = options.exportTimeoutMs ?? settings.otlpTimeoutMs;
    const exporters = createExporters(options, exportTimeoutMs);
    const spanGate = new QueueGate(capacity);
    const logGate = new QueueGate(capacity);
    // The SDK queue is larger than our gate, so the SDK never drops on its own (uncounted).
    const bufferConfig = { maxQueueSize: capacity * 2, maxExportBatchSize: 512, scheduledDelayMillis: 2000, exportTimeoutMillis: exportTimeoutMs + 1000 };
    spanProcessors.push(new GatedSpanProcessor(new BatchSpanProcessor(trackSpanExporter(exporters.spans, options.tracker, spanGate), bufferConfig), spanGate, options.tracker));
    logProcessors.push(new GatedLogProcessor(new BatchLogRecordProcessor({ exporter: trackLogExporter(exporters.logs, options.tracker, logGate), ...bufferConfig }), logGate, options.tracker));
    const metricIntervalMs = options.metricIntervalMs ?? settings.metricExportIntervalMs;
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: trackMetricExporter(exporters.metrics, options.tracker),
        // The SDK refuses a timeout above the interval; config already checked the settings' pair.
        exportIntervalMillis: metricIntervalMs,
        exportTimeoutMillis: Math.min(options.exportTimeoutMs ?? effectiveMetricExportTimeoutMs(settings), metricIntervalMs),
      }),
    );
  }

  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors, sampler: samplerFor(settings) });
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
