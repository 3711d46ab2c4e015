/**
 * Where one click out may go: the observability services the user configured, kept current as
 * the settings change (Grafana's fields apply live). The links themselves are built by
 * core/common/links.ts.
 */
import { alertRuleSearchUrl, dashboardUrl, grafanaRoot, traceExploreUrl } from '../../core/common/links';
import type { AlertInfo } from '../../core/common/alerts';
import type { Settings, SettingsStore } from '../../core/config';

export interface LinkTargets {
  /** Grafana root (may have a sub-path); null = not configured. */
  grafanaUrl: string | null;
  grafanaOrgId: number;
  /** Uid of the Tempo datasource in Grafana (trace links go through Grafana Explore). */
  tempoUid: string | null;
  /** Tempo's own URL, if the user configured one: only used for the allow-list. */
  tempoUrl: string | null;
  dashboardUids: { overview?: string; ollama?: string; rag?: string };
  prometheusUrl: string | null;
  alertmanagerUrl: string | null;
}

/** The part of the settings read here. */
export type LinkSettings = Pick<Settings, 'grafana' | 'tempoUrl' | 'prometheusUrl' | 'alertmanagerUrl'>;

export function linkTargetsFromSettings(settings: LinkSettings): LinkTargets {
  const g = settings.grafana;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
  return {
    grafanaUrl: grafanaRoot(str(g.url)),
    grafanaOrgId: Number.isInteger(g.orgId) && g.orgId >= 1 ? g.orgId : 1,
    tempoUid: str(g.tempoDatasourceUid),
    tempoUrl: str(settings.tempoUrl),
    dashboardUids: Object.fromEntries((['overview', 'ollama', 'rag'] as const).flatMap((k) => (str(g.dashboards[k]) ? [[k, str(g.dashboards[k])!]] : []))),
    prometheusUrl: str(settings.prometheusUrl),
    alertmanagerUrl: str(settings.alertmanagerUrl),
  };
}

export interface LiveLinks {
  targets(): LinkTargets;
  /** The allow-list of `openExternalIfAllowed`, as the settings are now. */
  origins(): readonly string[];
  /** Told after the targets changed (the tray relabels its menu). */
  onChange(listener: (targets: LinkTargets) => void): () => void;
  stop(): void;
}

/** Link targets and their allow-list, recomputed when the settings change (not captured at start). */
export function createLiveLinks(store: Pick<SettingsStore, 'get' | 'subscribe'>): LiveLinks {
  let targets = linkTargetsFromSettings(store.get());
  let origins = allowedOrigins(targets);
  const listeners = new Set<(targets: LinkTargets) => void>();
  const stop = store.subscribe((settings) => {
    targets = linkTargetsFromSettings(settings);
    origins = allowedOrigins(targets);
    for (const listener of [...listeners]) listener(targets);
  });
  return {
    targets: () => targets,
    origins: () => origins,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop,
  };
}

/** Origins `openExternalIfAllowed` accepts: exactly those of the configured services. */
export function allowedOrigins(targets: LinkTargets): string[] {
  const origins = new Set<string>();
  for (const value of [targets.grafanaUrl, targets.tempoUrl, targets.prometheusUrl, targets.alertmanagerUrl]) {
    if (!value) continue;
    try {
      const url = new URL(value);
      if (url.protocol === 'http:' || url.protocol === 'https:') origins.add(url.origin);
    } catch {
      // Settings validation reports a bad URL; here it simply allows nothing.
    }
  }
  return [...origins];
}

/** The dashboard the tray opens: overview first, then whichever is configured. */
export function mainDashboardUrl(targets: LinkTargets): string | null {
  const uid = targets.dashboardUids.overview ?? targets.dashboardUids.ollama ?? targets.dashboardUids.rag;
  return dashboardUrl({ grafanaUrl: targets.grafanaUrl, orgId: targets.grafanaOrgId, uid });
}

export function traceUrl(targets: LinkTargets, traceId: string): string | null {
  return traceExploreUrl({ grafanaUrl: targets.grafanaUrl, orgId: targets.grafanaOrgId, tempoUid: targets.tempoUid, traceId });
}

/**
 * Where an alert opens: its rule in Grafana's alert list when Grafana is configured, else the
 * generator URL Prometheus/Alertmanager gave it (the link guard still checks its origin).
 */
export function alertUrl(targets: LinkTargets, alert: Pick<AlertInfo, 'name' | 'generatorUrl'>): string | null {
  return alertRuleSearchUrl({ grafanaUrl: targets.grafanaUrl, orgId: targets.grafanaOrgId, ruleName: alert.name }) ?? alert.generatorUrl ?? null;
}
