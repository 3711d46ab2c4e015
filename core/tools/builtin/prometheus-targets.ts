import type { Tool } from '../tool';
import { failed, isoSeconds, ok, table } from './compact-text';
import { prometheusUnavailable, type ToolDeps } from './deps';
import { apiUrl, getJson } from './http-json';
import { stringArg } from './tool-args';

interface Target {
  labels?: Record<string, string>;
  scrapePool?: string;
  health?: string;
  lastError?: string;
  lastScrape?: string;
}

export function prometheusTargetsTool(deps: ToolDeps): Tool {
  return {
    name: 'prometheus_targets',
    description: 'List what Prometheus scrapes (job, instance, up/down, last error). Use it to see which hosts or services are down. Optional job filters by job name.',
    parameters: { type: 'object', properties: { job: { type: 'string', description: 'only targets of this job' } } },
    readOnly: true,
    source: 'builtin',
    unavailable: () => prometheusUnavailable(deps),
    async run(args, { signal }) {
      const base = deps.settings().prometheusUrl;
      if (!base) return failed('no Prometheus is configured');
      const job = stringArg(args, 'job', { max: 200 });
      if (!job.ok) return failed(job.error);
      const answer = await getJson(deps.get, 'Prometheus', apiUrl(base, '/api/v1/targets', { state: 'active' }), signal);
      if (!answer.ok) return failed(answer.error);
      const body = answer.body as { status?: string; data?: { activeTargets?: Target[] }; error?: string };
      if (body?.status !== 'success') return failed(`Prometheus answered an error: ${body?.error ?? 'no reason given'}`);
      const targets = (body.data?.activeTargets ?? []).filter((t) => !job.value || t.labels?.job === job.value || t.scrapePool === job.value);
      if (targets.length === 0) return ok(job.value ? `no active targets of job '${job.value}'` : 'Prometheus has no active targets');
      const down = targets.filter((t) => t.health !== 'up').length;
      const rows = targets.map((t) => [t.labels?.job ?? t.scrapePool ?? '', t.labels?.instance ?? '', t.health ?? 'unknown', t.lastScrape ? isoSeconds(Date.parse(t.lastScrape)) : '', t.lastError ?? '']);
      return ok(`${targets.length} targets, ${down} not up\n${table(['job', 'instance', 'health', 'last scrape', 'last error'], rows)}`);
    },
  };
}
