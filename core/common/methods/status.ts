import { z } from 'zod';
import type { AlertsState } from '../alerts';
import type { HealthState, ModelInfo } from '../health';
import type { SpanRecord } from '../telemetry';
import { method } from '../method';
import { noInput } from './ids';

export const tracesGetInput = z.strictObject({ traceId: z.string().regex(/^[0-9a-f]{32}$/, 'must be a 32-character lowercase hex trace id') });

/**
 * What the operator watches: models, health, traces, alerts. Each has its own handler folder:
 * models.list core/llm, health.get core/health, traces.get core/telemetry, alerts.list core/alerts
 * (each `status-methods.ts`).
 */
export const modelsMethods = {
  'models.list': method<ModelInfo[]>()({ input: noInput, summary: 'The pulled models, marking the loaded ones with their context length and VRAM.' }),
};
export const healthMethods = {
  'health.get': method<HealthState>()({ input: noInput, summary: 'Probes Ollama and answers the whole health state.' }),
};
export const tracesMethods = {
  /** Spans of a recent turn from the in-process buffer (empty when it has been evicted). */
  'traces.get': method<SpanRecord[]>()({ input: tracesGetInput, summary: 'The spans of a recent trace from the in-process buffer.' }),
};
export const alertsMethods = {
  'alerts.list': method<AlertsState>()({ input: noInput, summary: 'Evaluates or reads the alerts now and answers them.' }),
};
