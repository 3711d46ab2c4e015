import type { Tool } from '../tool';
import { failed, formatValue, isoSeconds, ok, seriesName, table } from './compact-text';
import { apiUrl, getJson } from './http-json';
import { parseDuration, parseTime, stringArg } from './tool-args';
import { prometheusUnavailable, type ToolDeps } from './deps';

interface Sample {
  metric?: Record<string, string>;
  value?: [number, string];
  values?: Array<[number, string]>;
}

/** The most points of one series shown: a small model reads a trend, not 10,000 samples. */
const maxPointsPerSeries = 30;

export function formatPromData(data: unknown): string {
  const d = (data ?? {}) as { resultType?: string; result?: unknown };
  if (d.resultType === 'scalar' || d.resultType === 'string') {
    const [t, v] = (d.result ?? []) as [number, string];
    return `${d.resultType} ${formatValue(v)} at ${isoSeconds(t * 1000)}`;
  }
  const result = Array.isArray(d.result) ? (d.result as Sample[]) : [];
  if (result.length === 0) return 'no series matched (empty result)';
  if (d.resultType === 'vector') {
    const rows = result.map((s) => [seriesName(s.metric ?? {}), formatValue(s.value?.[1] ?? 'NaN')]);
    const at = result[0]?.value?.[0];
    return `${result.length} series at ${at !== undefined ? isoSeconds(at * 1000) : 'now'}\n${table(['series', 'value'], rows)}`;
  }
  // matrix: one block per series, its points as "time value" (thinned when there are many).
  const lines = [`${result.length} series`];
  for (const s of result) {
    const values = s.values ?? [];
    const every = Math.max(1, Math.ceil(values.length / maxPointsPerSeries));
    const shown = values.filter((_, i) => i % every === 0 || i === values.length - 1);
    lines.push(`${seriesName(s.metric ?? {})} (${values.length} points${every > 1 ? `, every ${every}th shown` : ''})`);
    lines.push(...shown.map(([t, v]) => `  ${isoSeconds(t * 1000)}  ${formatValue(v)}`));
  }
  return lines.join('\n');
}

export function prometheusQueryTool(deps: ToolDeps): Tool {
  return {
    name: 'prometheus_query',
    description:
      'Run a PromQL query against the homelab Prometheus. Without start/end it is an instant query (the value now); with start (and optional end, step) it is a range query. Example: query "up == 0", or query "node_filesystem_avail_bytes" start "now-6h" step "15m".',
    parameters: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'PromQL expression' },
        start: { type: 'string', description: 'range start: now-1h, RFC 3339 or Unix seconds (leave out for an instant query)' },
        end: { type: 'string', description: 'range end (default now)' },
        step: { type: 'string', description: 'range step, e.g. 1m or 60 (default: about 30 points)' },
      },
      required: ['query'],
    },
    readOnly: true,
    source: 'builtin',
    unavailable: () => prometheusUnavailable(deps),
    async run(args, { signal }) {
      const base = deps.settings().prometheusUrl;
      if (!base) return failed('no Prometheus is configured');
      const query = stringArg(args, 'query', { required: true, max: 10_000 });
      const start = stringArg(args, 'start');
      const end = stringArg(args, 'end');
      const step = stringArg(args, 'step');
      for (const a of [query, start, end, step]) if (!a.ok) return failed(a.error);
      if (!query.ok || !start.ok || !end.ok || !step.ok) return failed('bad arguments');
      const now = (deps.now ?? Date.now)();
      let url: URL;
      if (start.value === undefined) {
        url = apiUrl(base, '/api/v1/query', { query: query.value });
      } else {
        const from = parseTime(start.value, now);
        const to = end.value === undefined ? now : parseTime(end.value, now);
        if (from === null) return failed(`cannot read start '${start.value}': use now-1h, RFC 3339 or Unix seconds`);
        if (to === null) return failed(`cannot read end '${end.value}': use now, RFC 3339 or Unix seconds`);
        if (to <= from) return failed('end must be after start');
        const stepMs = step.value === undefined ? Math.max(1000, Math.ceil((to - from) / maxPointsPerSeries)) : parseDuration(step.value);
        if (stepMs === null || stepMs <= 0) return failed(`cannot read step '${step.value}': use 30s, 5m, 1h or seconds`);
        url = apiUrl(base, '/api/v1/query_range', { query: query.value, start: String(from / 1000), end: String(to / 1000), step: String(stepMs / 1000) });
      }
      const answer = await getJson(deps.get, 'Prometheus', url, signal);
      if (!answer.ok) return failed(answer.error);
      const body = answer.body as { status?: string; data?: unknown; error?: string; warnings?: string[] };
      if (body?.status !== 'success') return failed(`Prometheus answered an error: ${body?.error ?? 'no reason given'}`);
      const warnings = Array.isArray(body.warnings) && body.warnings.length ? `\nwarnings: ${body.warnings.join('; ')}` : '';
      return ok(formatPromData(body.data) + warnings);
    },
  };
}
