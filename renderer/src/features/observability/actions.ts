/** The Observability view: alerts, health, and a turn's trace (in Grafana when configured, else here). */
import type { Bridge } from '../../../../core/common';
import { traceExploreUrl } from '../../../../core/common/links';
import { latestWins, request } from '../../shared/latest';
import type { AppStore } from '../../shared/state';
import { selectGrafana } from '../settings/selectors';

declare module '../../shared/state' {
  interface AppActions extends ObservabilityActions {}
}

export interface ObservabilityActions {
  /** Grafana Explore when Grafana is configured, else null (the in-app view is used). */
  traceLink(traceId: string): string | null;
  openTraceInApp(traceId: string): Promise<void>;
  refreshAlerts(): Promise<void>;
  refreshHealth(): Promise<void>;
}

export function createObservabilityActions({ store, bridge }: { store: AppStore; bridge: Bridge }): ObservabilityActions {
  const get = store.getState;
  const alertsLane = latestWins();
  const healthLane = latestWins();
  return {
    traceLink(traceId) {
      const grafana = selectGrafana(get());
      if (!grafana?.url) return null;
      return traceExploreUrl({ grafanaUrl: grafana.url, tempoUid: grafana.tempoDatasourceUid, orgId: grafana.orgId, traceId });
    },

    async openTraceInApp(traceId) {
      get().ui.setView('observability');
      get().trace.loading(traceId);
      // No lane needed: the slice drops the answer for a trace the user has moved away from.
      await request(() => bridge.invoke('traces.get', { traceId }), {
        done: (spans) => get().trace.loaded(traceId, spans),
        failed: (message) => get().trace.failed(traceId, message),
      });
    },

    async refreshAlerts() {
      await alertsLane(() => bridge.invoke('alerts.list'), {
        done: (state) => get().alerts.update(state),
        failed: (message) => get().alerts.failed(message),
      });
    },

    async refreshHealth() {
      await healthLane(() => bridge.invoke('health.get'), {
        done: (state) => get().health.update(state),
        // The indicator keeps its last state; health events or the next reconnect update it.
        failed: () => {},
      });
    },
  };
}
