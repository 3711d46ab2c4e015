import { Counter, Gauge, Histogram, Registry, type OpenMetricsContentType } from 'prom-client';
import { metricBuckets, metricLabels as L, llmMetricNames as N } from '../common/metric-names';

export type MetricsRegistry = Registry<OpenMetricsContentType>;

/**
 * A registry in OpenMetrics mode: only that format carries exemplars, which is how a dashboard
 * jumps from a slow histogram bucket to the trace behind it. The /metrics endpoint converts to
 * the classic text format for clients that ask for it.
 */
export function createMetricsRegistry(): MetricsRegistry {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}

/** The app's Prometheus metrics, registered on the registry passed in (never the global one). */
export function createPromMetrics(registry: MetricsRegistry) {
  const registers = [registry];
  return {
    inputTokens: new Counter({ name: N.inputTokens, help: 'Input tokens (Ollama prompt_eval_count)', labelNames: [L.model, L.agentId, L.operation], registers }),
    outputTokens: new Counter({ name: N.outputTokens, help: 'Output tokens (Ollama eval_count)', labelNames: [L.model, L.agentId, L.operation], registers }),
    totalTokens: new Counter({ name: N.totalTokens, help: 'Input + output tokens', labelNames: [L.model, L.agentId], registers }),
    tokensPerSecond: new Gauge({ name: N.tokensPerSecond, help: 'Generation speed of the last answer: eval_count / eval_duration', labelNames: [L.model, L.agentId], registers }),
    timeToFirstToken: new Histogram({
      name: N.timeToFirstToken,
      help: 'Client-measured time from request start to the first content or thinking chunk',
      labelNames: [L.model, L.agentId],
      buckets: [...metricBuckets.timeToFirstToken],
      enableExemplars: true,
      registers,
    }),
    requestDuration: new Histogram({
      name: N.requestDuration,
      help: 'Whole Ollama request duration, client-measured',
      labelNames: [L.model, L.agentId, L.operation],
      buckets: [...metricBuckets.requestDuration],
      enableExemplars: true,
      registers,
    }),
    modelLoadDuration: new Histogram({
      name: N.modelLoadDuration,
      help: 'Model load time reported by Ollama (load_duration), when a load happened',
      labelNames: [L.model],
      buckets: [...metricBuckets.modelLoadDuration],
      enableExemplars: true,
      registers,
    }),
    contextUsageRatio: new Gauge({ name: N.contextUsageRatio, help: 'Share (0..1) of the real context window used by the last request', labelNames: [L.model, L.agentId], registers }),
    llmRequests: new Counter({ name: N.llmRequests, help: 'LLM requests by outcome', labelNames: [L.model, L.operation, L.status], registers }),
    malformedLines: new Counter({ name: N.malformedLines, help: 'Stream lines from Ollama that were not JSON (skipped)', registers }),
    turnsInFlight: new Gauge({ name: N.turnsInFlight, help: 'Chat turns started and not yet ended', registers }),
    turnsQueued: new Gauge({ name: N.turnsQueued, help: 'Chat turns waiting for their first token (Ollama queue or model load)', registers }),
    telemetryDropped: new Counter({ name: N.telemetryDropped, help: 'Telemetry items dropped because the exporter failed or its queue was full', labelNames: [L.signal], registers }),
  };
}

export type PromMetrics = ReturnType<typeof createPromMetrics>;
