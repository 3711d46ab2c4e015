/**
 * Alert status as the app shows it (UI list, tray icon and menu, notifications), whether the
 * alerts come from the in-process evaluator or from Prometheus / Alertmanager.
 */
export const alertSeverities = ['critical', 'high', 'warning', 'medium', 'low', 'info'] as const;
/** Most severe first, so index order is rank order. */
export type AlertSeverity = (typeof alertSeverities)[number];

export type AlertState = 'pending' | 'firing';
export type AlertSource = 'local' | 'prometheus' | 'alertmanager';

export interface AlertInfo {
  /** Stable per alert instance: name + sorted labels (Alertmanager's fingerprint when it has one). */
  id: string;
  name: string;
  state: AlertState;
  severity: AlertSeverity | null;
  summary: string | null;
  description: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** When it became active (pending or firing), ISO time. */
  activeSince: string | null;
  value: number | null;
  source: AlertSource;
  /** Where the alert can be looked at (Prometheus graph URL from Alertmanager/Prometheus). */
  generatorUrl: string | null;
}

export interface AlertsState {
  /** 'local' = evaluated in-process; 'remote' = read from Prometheus and/or Alertmanager. */
  mode: 'local' | 'remote';
  alerts: AlertInfo[];
  /**
   * Local mode: rules that only a real Prometheus can evaluate. Remote mode: shipped rules that the
   * configured Prometheus does not load (`/api/v1/rules`), so nothing evaluates them.
   */
  needsPrometheus: string[];
  updatedAt: string | null;
  /** Set when a remote source could not be read: the list is then incomplete, not "all clear". */
  error: string | null;
}

/** Reachability of an optional HTTP service (Prometheus, Alertmanager). */
export interface ServiceHealth {
  url: string;
  reachable: boolean;
  error: string | null;
}

export function severityRank(severity: AlertSeverity | null): number {
  return severity === null ? alertSeverities.length : alertSeverities.indexOf(severity);
}

export function emptyAlertsState(mode: AlertsState['mode'] = 'local'): AlertsState {
  return { mode, alerts: [], needsPrometheus: [], updatedAt: null, error: null };
}
