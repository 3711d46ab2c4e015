/** The Observability view's state: alerts, the trace shown in the app, the health of the services. */
import type { AlertsState, HealthState, SpanRecord } from '../../../../core/common';
import { slicePatcher, type LoadStatus, type SetState } from '../../shared/state';

declare module '../../shared/state' {
  interface AppState {
    alerts: AlertsSlice;
    trace: TraceSlice;
    health: HealthSlice;
  }
}

export interface AlertsSlice {
  state: AlertsState | null;
  /** The alerts.list call failed (the list may be stale). */
  error: string | null;
  update(state: AlertsState): void;
  failed(message: string): void;
}

export interface TraceSlice {
  traceId: string | null;
  spans: SpanRecord[];
  status: LoadStatus;
  error: string | null;
  loading(traceId: string): void;
  loaded(traceId: string, spans: SpanRecord[]): void;
  failed(traceId: string, message: string): void;
}

export interface HealthSlice {
  state: HealthState | null;
  update(state: HealthState): void;
}

export function createAlertsSlice(set: SetState): AlertsSlice {
  const patch = slicePatcher(set, 'alerts');
  return {
    state: null,
    error: null,
    update: (state) => patch({ state, error: null }),
    failed: (message) => patch({ error: message }),
  };
}

export function createTraceSlice(set: SetState): TraceSlice {
  const patch = slicePatcher(set, 'trace');
  return {
    traceId: null,
    spans: [],
    status: 'idle',
    error: null,
    loading: (traceId) => patch({ traceId, spans: [], status: 'loading', error: null }),
    // A late answer for a trace the user has moved away from is dropped.
    loaded: (traceId, spans) => patch((t) => (t.traceId === traceId ? { spans, status: 'ready', error: null } : {})),
    failed: (traceId, message) => patch((t) => (t.traceId === traceId ? { status: 'error', error: message } : {})),
  };
}

export function createHealthSlice(set: SetState): HealthSlice {
  const patch = slicePatcher(set, 'health');
  return {
    state: null,
    update: (state) => patch({ state }),
  };
}
