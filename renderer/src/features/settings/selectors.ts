import type { AppState } from '../../shared/state';

export const selectSettings = (s: AppState) => s.settings;
/** The Grafana settings the trace and dashboard links are built from (absent until settings load). */
export const selectGrafana = (s: AppState) =>
  s.settings.view?.values.grafana as { url?: string | null; tempoDatasourceUid?: string; orgId?: number } | undefined;
