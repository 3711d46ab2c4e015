import { severityRank, type AlertInfo, type AlertsState, type ServiceHealth } from '../common/alerts';
import type { HealthState } from '../common/health';
import { createLocalEvaluator } from './local-evaluator';
import type { LocalAlertRule } from './local-rule';
import { MetricHistory } from './metric-history';
import { mergeRemoteAlerts, readAlertmanagerAlerts, readPrometheusAlerts, readPrometheusRuleNames } from './remote-alerts';
import type { MetricsRegistry } from '../telemetry/prom-metrics';

export interface AlertsServiceDeps {
  registry: MetricsRegistry;
  rules: LocalAlertRule[];
  /** Shipped rules that need a real Prometheus (listed as such in local mode). */
  remoteOnlyRules: string[];
  /** Every shipped alert name: in remote mode, the ones the configured Prometheus does not load are listed. */
  shippedRules?: string[];
  prometheusUrl: string | null;
  alertmanagerUrl: string | null;
  intervalMs: number;
  onChange: (state: AlertsState) => void;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface AlertsService {
  state(): AlertsState;
  refresh(): Promise<AlertsState>;
  /** Reachability of the remote sources (null when not configured). */
  services(): { prometheus: ServiceHealth | null; alertmanager: ServiceHealth | null };
  summary(): HealthState['alerts'];
  stop(): void;
}

const fingerprint = (s: AlertsState) => JSON.stringify([s.error, s.alerts.map((a) => [a.id, a.state])]);

/**
 * Alerts from one place: evaluated in-process from the app's own metrics when no Prometheus or
 * Alertmanager is configured (the embedded default), read from them otherwise. A remote that
 * cannot be read is reported (health degraded, `error` set), never shown as "no alerts".
 */
export function createAlertsService(deps: AlertsServiceDeps): AlertsService {
  const now = deps.now ?? Date.now;
  const remote = deps.prometheusUrl !== null || deps.alertmanagerUrl !== null;
  // Enough history for the longest window a local rule uses (1h rates) plus slack.
  const history = new MetricHistory(deps.registry, 2 * 3_600_000);
  const evaluator = createLocalEvaluator({ rules: deps.rules, history, now });
  let current: AlertsState = { mode: remote ? 'remote' : 'local', alerts: [], needsPrometheus: remote ? [] : [...deps.remoteOnlyRules], updatedAt: null, error: null };
  let services: ReturnType<AlertsService['services']> = {
    prometheus: deps.prometheusUrl ? { url: deps.prometheusUrl, reachable: false, error: 'not checked yet' } : null,
    alertmanager: deps.alertmanagerUrl ? { url: deps.alertmanagerUrl, reachable: false, error: 'not checked yet' } : null,
  };
  let inFlight: Promise<AlertsState> | null = null;

  const readRemote = async (): Promise<{ alerts: AlertInfo[]; error: string | null; needsPrometheus: string[] }> => {
    const [prom, am, loaded] = await Promise.all([
      deps.prometheusUrl ? readPrometheusAlerts(deps.prometheusUrl, deps.fetch) : null,
      deps.alertmanagerUrl ? readAlertmanagerAlerts(deps.alertmanagerUrl, deps.fetch) : null,
      deps.prometheusUrl ? readPrometheusRuleNames(deps.prometheusUrl, deps.fetch) : null,
    ]);
    services = { prometheus: prom?.health ?? null, alertmanager: am?.health ?? null };
    const errors = [prom?.health.error, am?.health.error].filter((e): e is string => !!e);
    // /api/v1/rules: shipped rules that this Prometheus does not evaluate are evaluated nowhere.
    const notLoaded = loaded ? (deps.shippedRules ?? []).filter((name) => !loaded.includes(name)) : [];
    return { alerts: mergeRemoteAlerts(prom?.alerts ?? [], am?.alerts ?? []), error: errors.length ? `Cannot read alerts: ${errors.join('; ')}` : null, needsPrometheus: notLoaded };
  };

  const refresh = () =>
    (inFlight ??= (async () => {
      const next: AlertsState = remote
        ? { ...current, ...(await readRemote()), updatedAt: new Date(now()).toISOString() }
        : { ...current, alerts: await evaluator.tick(), updatedAt: new Date(now()).toISOString(), error: null };
      next.alerts.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.name.localeCompare(b.name));
      const changed = fingerprint(next) !== fingerprint(current);
      current = next;
      if (changed) deps.onChange(current);
      return current;
    })().finally(() => (inFlight = null)));

  const timer = setInterval(() => void refresh().catch(() => {}), deps.intervalMs);
  timer.unref?.();
  return {
    state: () => current,
    refresh,
    services: () => services,
    summary() {
      const firing = current.alerts.filter((a) => a.state === 'firing');
      const top = firing.reduce<AlertInfo | null>((best, a) => (best === null || severityRank(a.severity) < severityRank(best.severity) ? a : best), null);
      return { firing: firing.length, pending: current.alerts.length - firing.length, highestSeverity: top?.severity ?? null };
    },
    stop: () => clearInterval(timer),
  };
}
