import type { MethodHandlers } from '../common/method';
import type { tracesMethods } from '../common/methods';
import type { SpanRecord } from '../common/telemetry';

export function tracesHandlers(deps: { spans: (traceId: string) => SpanRecord[] }): MethodHandlers<typeof tracesMethods> {
  return {
    'traces.get': async (input) => deps.spans(input.traceId),
  };
}
