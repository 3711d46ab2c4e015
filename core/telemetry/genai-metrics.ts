import type { Meter } from '@opentelemetry/api';
import { genAiBuckets, genAiMetricNames as G } from '../common/metric-names';

/** The OpenTelemetry GenAI client metrics, exported over OTLP next to the Prometheus ones. */
export function createGenAiMetrics(meter: Meter) {
  return {
    tokenUsage: meter.createHistogram(G.tokenUsage, {
      unit: '{token}',
      description: 'Number of input and output tokens used',
      advice: { explicitBucketBoundaries: [...genAiBuckets.tokenUsage] },
    }),
    operationDuration: meter.createHistogram(G.operationDuration, {
      unit: 's',
      description: 'GenAI operation duration',
      advice: { explicitBucketBoundaries: [...genAiBuckets.seconds] },
    }),
    timeToFirstChunk: meter.createHistogram(G.timeToFirstChunk, {
      unit: 's',
      description: 'Time to receive the first chunk in a streaming operation',
      advice: { explicitBucketBoundaries: [...genAiBuckets.seconds] },
    }),
    timePerOutputChunk: meter.createHistogram(G.timePerOutputChunk, {
      unit: 's',
      description: 'Time between consecutive chunks after the first, on average per operation',
      advice: { explicitBucketBoundaries: [...genAiBuckets.seconds] },
    }),
  };
}

export type GenAiMetrics = ReturnType<typeof createGenAiMetrics>;
