import type { Tool } from '../tool';
import { failed, formatValue, isoSeconds, ok, seriesName } from './compact-text';
import type { ToolDeps } from './deps';
import { apiUrl, getJson } from './http-json';
import { intArg, parseTime, stringArg } from './tool-args';

interface Stream {
  stream?: Record<string, string>;
  metric?: Record<string, string>;
  values?: Array<[string | number, string]>;
}

export function lokiQueryTool(deps: ToolDeps): Tool {
  return {
    name: 'loki_query',
    description: 'Search the homelab logs in Loki with LogQL, newest first. Example: query \'{job="nas"} |= "error"\' start "now-1h". Log lines come back as "time  line" grouped by stream labels.',
    parameters: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'LogQL, e.g. {app="nginx"} |= "timeout"' },
        start: { type: 'string', description: 'from: now-1h (default), RFC 3339 or Unix seconds' },
        end: { type: 'string', description: 'to (default now)' },
        limit: { type: 'number', description: 'most lines (default 50, at most 500)' },
      },
      required: ['query'],
    },
    readOnly: true,
    source: 'builtin',
    unavailable: () => (deps.settings().lokiUrl ? null : 'no Loki configured: set LOKI_URL (Settings, Loki URL)'),
    async run(args, { signal }) {
      const base = deps.settings().lokiUrl;
      if (!base) return failed('no Loki is configured');
      const query = stringArg(args, 'query', { required: true, max: 10_000 });
      if (!query.ok) return failed(query.error);
      const start = stringArg(args, 'start');
      const end = stringArg(args, 'end');
      const limit = intArg(args, 'limit', 50, { min: 1, max: 500 });
      if (!start.ok) return failed(start.error);
      if (!end.ok) return failed(end.error);
      if (!limit.ok) return failed(limit.error);
      const now = (deps.now ?? Date.now)();
      const from = parseTime(start.value ?? 'now-1h', now);
      const to = parseTime(end.value ?? 'now', now);
      if (from === null || to === null) return failed('cannot read start/end: use now-1h, RFC 3339 or Unix seconds');
      // Loki takes nanosecond epochs; BigInt keeps them exact.
      const ns = (ms: number) => (BigInt(Math.round(ms)) * 1_000_000n).toString();
      const url = apiUrl(base, '/loki/api/v1/query_range', { query: query.value, start: ns(from), end: ns(to), limit: String(limit.value), direction: 'backward' });
      const answer = await getJson(deps.get, 'Loki', url, signal);
      if (!answer.ok) return failed(answer.error);
      const body = answer.body as { status?: string; data?: { resultType?: string; result?: Stream[] }; error?: string };
      if (body?.status !== 'success') return failed(`Loki answered an error: ${body?.error ?? 'no reason given'}`);
      const result = Array.isArray(body.data?.result) ? body.data.result : [];
      if (result.length === 0) return ok('no log lines matched');
      const lines: string[] = [];
      if (body.data?.resultType === 'streams') {
        const total = result.reduce((n, s) => n + (s.values?.length ?? 0), 0);
        lines.push(`${total} lines in ${result.length} streams`);
        for (const s of result) {
          lines.push(seriesName(s.stream ?? {}));
          for (const [t, line] of s.values ?? []) lines.push(`  ${isoSeconds(Number(t) / 1e6)}  ${String(line).slice(0, 500)}`);
        }
      } else {
        // A metric query (rate(...), count_over_time) answers a matrix like Prometheus.
        lines.push(`${result.length} series`);
        for (const s of result) {
          lines.push(seriesName(s.metric ?? {}));
          for (const [t, v] of (s.values ?? []).slice(-30)) lines.push(`  ${isoSeconds(Number(t) * 1000)}  ${formatValue(v)}`);
        }
      }
      return ok(lines.join('\n'));
    },
  };
}
