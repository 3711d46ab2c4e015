/**
 * Where one click out may go: the observability services the user configured. The settings
 * shape is read defensively (every field optional) so the shell does not depend on exactly how
 * the settings schema spells them; the links themselves are built by core/common/links.ts.
 */
import { alertRuleSearchUrl, dashboardUrl, grafanaRoot, traceExploreUrl } from '../../core/common/links';
import type { AlertInfo } from '../../core/common/alerts';

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

/** The part of the settings read here, every field optional (see the module comment). */
export interface LinkSettingsLike {
  grafana?: {
    url?: string | null;
    tempoDatasourceUid?: string | null;
    orgId?: number | null;
    dashboards?: { overview?: string; ollama?: string; rag?: string } | null;
  } | null;
  tempoUrl?: string | null;
  prometheusUrl?: string | null;
  alertmanagerUrl?: string | null;
}

/** `settings` is typed loosely on purpose: any settings object, whatever fields it has today. */
export function linkTargetsFromSettings(input: object): LinkTargets {
  const settings = input as LinkSettingsLike;
  const g = settings.grafana ?? {};
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
  const dashboards = g.dashboards ?? {};
  return {
    grafanaUrl: grafanaRoot(str(g.url)),
    grafanaOrgId: typeof g.orgId === 'number' && Number.isInteger(g.orgId) && g.orgId >= 1 ? g.orgId : 1,
    tempoUid: str(g.tempoDatasourceUid),
    tempoUrl: str(settings.tempoUrl),
    dashboardUids: Object.fromEntries(
      (['overview', 'ollama', 'rag'] as const).flatMap((k) => (str(dashboards[k]) ? [[k, str(dashboards[k])!]] : [])),
    ),
    prometheusUrl: str(settings.prometheusUrl),
    alertmanagerUrl: str(settings.alertmanagerUrl),
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
