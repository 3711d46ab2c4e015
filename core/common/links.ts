/**
 * Links into Grafana (Explore with Tempo, dashboards, the alert rule list), built the way
 * Grafana's own URL code builds them (see reference/protocols.md). Pure and dependency-free: the
 * Electron tray and the renderer both build the same URLs. Every builder returns null instead of
 * a wrong link when Grafana is not configured or an input is not what it claims to be.
 */

/** The `panes` key of an Explore URL: 3 chars of the nanoid alphabet, not all digits. Fixed, so links are stable. */
export const explorePaneId = 'brn';

export interface GrafanaLinkBase {
  /** Grafana's root URL, possibly with a sub-path (`https://lab.example/grafana`). */
  grafanaUrl: string | null | undefined;
  /** Grafana organisation; 1 unless configured. */
  orgId?: number;
}

export interface TimeRange {
  /** `now-1h` style or epoch milliseconds. */
  from: string | number;
  to: string | number;
}

const traceIdPattern = /^[0-9a-f]{32}$/;
const uidPattern = /^[\w-]{1,100}$/;
const relativeTime = /^now(?:[-+]\d+[smhdwMy])?(?:\/[smhdwMy])?$/;

/** A 32-hex trace id, lower-cased; null for anything else (a span id, an all-zero id, junk). */
export function normalizeTraceId(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const id = value.trim().toLowerCase();
  if (!traceIdPattern.test(id) || /^0+$/.test(id)) return null;
  return id;
}

/**
 * Grafana's root as `scheme://host[:port][/sub/path]` without a trailing slash, or null when the
 * setting is empty or not a plain http(s) URL (credentials, query and fragment are refused: a link
 * built on them would carry them to the browser).
 */
export function grafanaRoot(grafanaUrl: string | null | undefined): string | null {
  if (typeof grafanaUrl !== 'string' || grafanaUrl.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(grafanaUrl.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password || url.search || url.hash) return null;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Explore with one Tempo pane running `query` (a trace id or a TraceQL expression). */
export function tempoExploreUrl(opts: GrafanaLinkBase & { tempoUid: string | null | undefined; query: string; range?: TimeRange }): string | null {
  const root = grafanaRoot(opts.grafanaUrl);
  const uid = opts.tempoUid;
  if (!root || typeof uid !== 'string' || !uidPattern.test(uid) || opts.query.trim() === '') return null;
  const range = timeRange(opts.range ?? { from: 'now-1h', to: 'now' });
  if (!range) return null;
  const panes = {
    [explorePaneId]: {
      datasource: uid,
      queries: [{ refId: 'A', datasource: { type: 'tempo', uid }, queryType: 'traceql', query: opts.query }],
      range,
    },
  };
  return `${root}/explore?schemaVersion=1&orgId=${orgIdOf(opts.orgId)}&panes=${encodeURIComponent(JSON.stringify(panes))}`;
}

/** Explore showing one trace. The default range is wide: Tempo finds a trace by id whatever the range, but Grafana still sends one. */
export function traceExploreUrl(
  opts: GrafanaLinkBase & { tempoUid: string | null | undefined; traceId: string; range?: TimeRange },
): string | null {
  const traceId = normalizeTraceId(opts.traceId);
  if (!traceId) return null;
  return tempoExploreUrl({ ...opts, query: traceId, range: opts.range ?? { from: 'now-24h', to: 'now' } });
}

/** `/d/<uid>/<slug>?orgId=1&from=now-6h&to=now&var-x=...` (repeated `var-x` for several values). */
export function dashboardUrl(
  opts: GrafanaLinkBase & { uid: string | null | undefined; slug?: string; range?: TimeRange; vars?: Record<string, string | readonly string[]> },
): string | null {
  const root = grafanaRoot(opts.grafanaUrl);
  if (!root || typeof opts.uid !== 'string' || !uidPattern.test(opts.uid)) return null;
  const range = timeRange(opts.range ?? { from: 'now-6h', to: 'now' });
  if (!range) return null;
  const slug = opts.slug ? slugify(opts.slug) : '';
  const params = [`orgId=${orgIdOf(opts.orgId)}`, `from=${encodeURIComponent(range.from)}`, `to=${encodeURIComponent(range.to)}`];
  for (const [name, value] of Object.entries(opts.vars ?? {})) {
    if (!/^[\w-]+$/.test(name)) continue;
    for (const v of typeof value === 'string' ? [value] : value) params.push(`var-${name}=${encodeURIComponent(v)}`);
  }
  return `${root}/d/${opts.uid}${slug ? `/${slug}` : ''}?${params.join('&')}`;
}

/** Grafana's alert rule list filtered to one rule (`rule:"Name"` search syntax). */
export function alertRuleSearchUrl(opts: GrafanaLinkBase & { ruleName: string }): string | null {
  const root = grafanaRoot(opts.grafanaUrl);
  const name = opts.ruleName.trim();
  if (!root || name === '') return null;
  const search = `rule:"${name.replace(/"/g, '\\"')}"`;
  return `${root}/alerting/list?orgId=${orgIdOf(opts.orgId)}&search=${encodeURIComponent(search)}`;
}

/** Grafana's slug rule: lower case, runs of other characters become one dash. */
export function slugify(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function orgIdOf(orgId: number | undefined): number {
  return orgId !== undefined && Number.isInteger(orgId) && orgId >= 1 ? orgId : 1;
}

function timeRange(range: TimeRange): { from: string; to: string } | null {
  const one = (v: string | number) => {
    if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? String(v) : null;
    return relativeTime.test(v) || /^\d{1,15}$/.test(v) ? v : null;
  };
  const from = one(range.from);
  const to = one(range.to);
  return from && to ? { from, to } : null;
}
