import { randomUUID } from 'node:crypto';
import type { Tracer } from '@opentelemetry/api';
import type { Logger as OtelLogger } from '@opentelemetry/api-logs';
import type { ExportHealth, SpanRecord } from '../common/telemetry';
import { metricLabels } from '../common/metric-names';
import type { SettingsStore } from '../config';
import { ExportTracker } from './export-tracker';
import { createGenAiMetrics, type GenAiMetrics } from './genai-metrics';
import { createOtelProviders } from './otel-sdk';
import { createMetricsRegistry, createPromMetrics, type MetricsRegistry, type PromMetrics } from './prom-metrics';
import { createOllamaMetrics, type OllamaMetrics } from './ollama-metrics';
import { createRuntimeMetrics } from './runtime-metrics';
import { otelRuntimeMetricNames } from '../common/metric-names';
import { SpanBuffer } from './span-buffer';
import { createTurnTelemetry, type TelemetryLog, type TurnTelemetry } from './turn-telemetry';
import { createToolTelemetry, type ToolTelemetry } from './tool-telemetry';

export interface TelemetryDeps {
  /** Export settings are read once (a change needs a restart); content capture at each turn. */
  settings: SettingsStore;
  serviceVersion: string;
  log: TelemetryLog;
  redact: (text: string) => string;
  report: (err: unknown) => void;
  /** Test seams: shorter export timeouts and intervals. */
  exportTimeoutMs?: number;
  metricIntervalMs?: number;
  queueCapacity?: number;
}

export interface Telemetry {
  /** `service.instance.id` of this run, shared by the resource and the log lines. */
  readonly instanceId: string;
  readonly registry: MetricsRegistry;
  readonly prom: PromMetrics;
  readonly tracer: Tracer;
  readonly genAi: GenAiMetrics;
  readonly otelLogger: OtelLogger;
  readonly turns: TurnTelemetry;
  /** The operator's Ollama as the health probe sees it (`agent_ollama_up`, loaded models). */
  readonly ollama: OllamaMetrics;
  /** Tool calls of turns: spans, counters, durations. */
  readonly tools: ToolTelemetry;
  exportHealth(): ExportHealth;
  /** The tray's "pause telemetry export": nothing leaves the machine until resumed. */
  setExportPaused(paused: boolean): void;
  spans(traceId: string): SpanRecord[];
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Everything one core measures and exports, created per core (no globals). */
export function createTelemetry(deps: TelemetryDeps): Telemetry {
  const settings = deps.settings.get();
  const registry = createMetricsRegistry();
  const prom = createPromMetrics(registry);
  const tracker = new ExportTracker({
    endpoint: settings.telemetry.otlpEndpoint,
    protocol: settings.telemetry.otlpProtocol,
    onDropped: (signal, count) => prom.telemetryDropped.inc({ [metricLabels.signal]: signal }, count),
    // A debug line per batch of spans and metrics (failures too: the export health and the drop
    // counter are where a dead collector shows, not a warning per batch). Never for log batches:
    // the line would itself be a log record, exported in the next batch, which would log again -
    // a line every few seconds for as long as the level is debug.
    onBatch: (batch) => {
      if (batch.signal === 'logs') return;
      deps.log('debug', batch.ok ? 'OTLP export batch sent' : 'OTLP export batch failed', { component: 'otlp_export', signal: batch.signal, items: batch.items, duration_ms: Math.round(batch.ms * 10) / 10, ...(batch.error ? { error: batch.error } : {}) }, null);
    },
  });
  // Pre-create the drop series so dashboards and alerts see 0 instead of "no data".
  for (const signal of ['traces', 'metrics', 'logs'] as const) prom.telemetryDropped.inc({ [metricLabels.signal]: signal }, 0);
  const spanBuffer = new SpanBuffer();
  const instanceId = randomUUID();
  const providers = createOtelProviders({
    settings: settings.telemetry,
    serviceVersion: deps.serviceVersion,
    instanceId,
    spanBuffer,
    tracker,
    ...(deps.exportTimeoutMs !== undefined ? { exportTimeoutMs: deps.exportTimeoutMs } : {}),
    ...(deps.metricIntervalMs !== undefined ? { metricIntervalMs: deps.metricIntervalMs } : {}),
    ...(deps.queueCapacity !== undefined ? { queueCapacity: deps.queueCapacity } : {}),
  });
  const scope = { name: 'agent-bruno-desktop', version: deps.serviceVersion };
  const tracer = providers.tracerProvider.getTracer(scope.name, scope.version);
  const meter = providers.meterProvider.getMeter(scope.name, scope.version);
  const otelLogger = providers.loggerProvider.getLogger(scope.name, scope.version);
  const genAi = createGenAiMetrics(meter);
  const ollama = createOllamaMetrics(registry);
  const runtime = createRuntimeMetrics(registry, meter, deps.report);
  // The same gauges over OTLP, read from the registry at export time (nothing kept twice).
  const gaugeValue = async (gauge: { get(): Promise<{ values: { value: number }[] }> | { values: { value: number }[] } }) => (await gauge.get()).values[0]?.value;
  const observeGauge = (name: string, description: string, gauge: Parameters<typeof gaugeValue>[0]) =>
    meter.createObservableGauge(name, { description }).addCallback(async (r) => {
      try {
        const value = await gaugeValue(gauge);
        if (value !== undefined) r.observe(value);
      } catch (err) {
        deps.report(err);
      }
    });
  observeGauge(otelRuntimeMetricNames.turnsInFlight, 'Chat turns started and not yet ended', prom.turnsInFlight);
  meter.createObservableGauge(otelRuntimeMetricNames.ollamaUp, { description: 'Whether the last health probe reached Ollama' }).addCallback((r) => {
    const value = ollama.up();
    if (value !== null) r.observe(value);
  });
  const turns = createTurnTelemetry({
    tracer,
    prom,
    genAi,
    agentId: settings.telemetry.agentId,
    captureContent: () => deps.settings.get().telemetry.captureContent,
    redact: deps.redact,
    log: deps.log,
    report: deps.report,
    slow: () => {
      const t = deps.settings.get().telemetry;
      return { firstTokenMs: t.slowFirstTokenMs, tokensPerSecond: t.slowTokensPerSecond };
    },
  });
  const tools = createToolTelemetry({
    tracer,
    registry,
    meter,
    captureContent: () => deps.settings.get().telemetry.captureContent,
    redact: deps.redact,
    report: deps.report,
  });

  return {
    instanceId,
    tools,
    registry,
    prom,
    tracer,
    genAi,
    otelLogger,
    turns,
    ollama,
    exportHealth: () => tracker.snapshot(),
    setExportPaused: (paused) => tracker.setPaused(paused),
    spans: (traceId) => spanBuffer.get(traceId),
    async flush() {
      await Promise.allSettled([providers.tracerProvider.forceFlush(), providers.meterProvider.forceFlush(), providers.loggerProvider.forceFlush()]);
    },
    async shutdown() {
      runtime.stop();
      await providers.shutdown();
    },
  };
}
