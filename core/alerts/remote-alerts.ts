import type { AlertInfo, AlertSeverity, ServiceHealth } from '../common/alerts';
import { alertSeverities } from '../common/alerts';
import { seriesKey } from './metric-history';

export interface RemoteResult {
  alerts: AlertInfo[];
  health: ServiceHealth;
}

type Fetch = typeof fetch;

function severityOf(labels: Record<string, string>): AlertSeverity | null {
  const s = labels.severity;
  return s && (alertSeverities as readonly string[]).includes(s) ? (s as AlertSeverity) : null;
}

function idOf(labels: Record<string, string>): string {
  const name = labels.alertname ?? '';
  return `${name}{${seriesKey(labels)}}`;
}

async function getJson(fetchFn: Fetch, url: string, timeoutMs: number): Promise<unknown> {
  const response = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  try {
    return await response.json();
  } catch {
    throw new Error(`${url} did not answer JSON`);
  }
}

function failure(url: string, err: unknown): RemoteResult {
  const e = err as { name?: string; message?: string; cause?: { code?: string } };
  const reason = e?.name === 'TimeoutError' ? 'no answer in time' : (e?.cause?.code ?? e?.message ?? String(err));
  return { alerts: [], health: { url, reachable: false, error: `${url}: ${reason}` } };
}

/** Prometheus `GET /api/v1/alerts`: pending and firing alerts with their activeAt. */
export async function readPrometheusAlerts(baseUrl: string, fetchFn: Fetch = fetch, timeoutMs = 3000): Promise<RemoteResult> {
  try {
    const body = (await getJson(fetchFn, `${baseUrl}/api/v1/alerts`, timeoutMs)) as {
      status?: string;
      error?: string;
      data?: { alerts?: { labels?: Record<string, string>; annotations?: Record<string, string>; state?: string; activeAt?: string; value?: string }[] };
    };
    if (body.status !== 'success' || !Array.isArray(body.data?.alerts)) throw new Error(body.error ?? 'unexpected answer from /api/v1/alerts');
    const alerts = body.data.alerts
      .filter((a) => a.state === 'pending' || a.state === 'firing')
      .map((a): AlertInfo => {
        const labels = a.labels ?? {};
        const annotations = a.annotations ?? {};
        return {
          id: idOf(labels),
          name: labels.alertname ?? 'unnamed',
          state: a.state as AlertInfo['state'],
          severity: severityOf(labels),
          summary: annotations.summary ?? null,
          description: annotations.description ?? null,
          labels,
          annotations,
          activeSince: a.activeAt ?? null,
          value: a.value !== undefined && a.value !== '' ? Number(a.value) : null,
          source: 'prometheus',
          generatorUrl: null,
        };
      });
    return { alerts, health: { url: baseUrl, reachable: true, error: null } };
  } catch (err) {
    return failure(baseUrl, err);
  }
}

/** Prometheus `GET /api/v1/rules`: the names of the alerting rules it evaluates. */
export async function readPrometheusRuleNames(baseUrl: string, fetchFn: Fetch = fetch, timeoutMs = 3000): Promise<string[] | null> {
  try {
    const body = (await getJson(fetchFn, `${baseUrl}/api/v1/rules`, timeoutMs)) as { data?: { groups?: { rules?: { type?: string; name?: string }[] }[] } };
    return (body.data?.groups ?? []).flatMap((g) => (g.rules ?? []).filter((r) => r.type === 'alerting').map((r) => r.name ?? ''));
  } catch {
    return null;
  }
}

/** Alertmanager `GET /api/v2/alerts`: active (and silenced/inhibited) firing alerts. */
export async function readAlertmanagerAlerts(baseUrl: string, fetchFn: Fetch = fetch, timeoutMs = 3000): Promise<RemoteResult> {
  try {
    const body = (await getJson(fetchFn, `${baseUrl}/api/v2/alerts`, timeoutMs)) as {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
      fingerprint?: string;
      startsAt?: string;
      generatorURL?: string;
      status?: { state?: string };
    }[];
    if (!Array.isArray(body)) throw new Error('unexpected answer from /api/v2/alerts');
    const alerts = body.map((a): AlertInfo => {
        const labels = a.labels ?? {};
        const annotations = a.annotations ?? {};
        return {
          id: idOf(labels),
          name: labels.alertname ?? 'unnamed',
          state: 'firing',
          severity: severityOf(labels),
          summary: annotations.summary ?? null,
          description: annotations.description ?? null,
          labels,
          annotations: a.status?.state === 'suppressed' ? { ...annotations, suppressed: 'true' } : annotations,
          activeSince: a.startsAt ?? null,
          value: null,
          source: 'alertmanager',
          generatorUrl: a.generatorURL ?? null,
        };
      });
    return { alerts, health: { url: baseUrl, reachable: true, error: null } };
  } catch (err) {
    return failure(baseUrl, err);
  }
}

/** One list: Alertmanager's view of firing alerts wins (it knows receivers and silences); Prometheus adds pending ones. */
export function mergeRemoteAlerts(prometheus: AlertInfo[], alertmanager: AlertInfo[]): AlertInfo[] {
  const byId = new Map<string, AlertInfo>();
  for (const a of prometheus) byId.set(a.id, a);
  for (const a of alertmanager) {
    const fromProm = byId.get(a.id);
    byId.set(a.id, fromProm ? { ...a, value: fromProm.value, activeSince: fromProm.activeSince ?? a.activeSince } : a);
  }
  return [...byId.values()];
}
