import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Histogram } from 'prom-client';
import { httpPaths } from '../common/http-api';
import { isInvokeChannel } from '../common/contract';
import { httpMetricNames } from '../common/metric-names';
import type { MetricsRegistry } from '../telemetry/prom-metrics';
import { safely } from '../telemetry/safely';
import { pathOf } from './http-helpers';

/**
 * RED metrics of the headless API under the names the seed's queries use (sections 2.1 and 4):
 * `http_requests_total{endpoint,method,status_code}`, `http_request_duration_seconds{endpoint}`.
 * `endpoint` is the route, never the raw path, so the label stays bounded.
 */
export function createHttpMetrics(registry: MetricsRegistry, report: (err: unknown) => void) {
  const registers = [registry];
  // Reuse on a second server over the same core (tests start several).
  const existing = registry.getSingleMetric(httpMetricNames.requests) as Counter<'endpoint' | 'method' | 'status_code'> | undefined;
  const requests =
    existing ?? new Counter({ name: httpMetricNames.requests, help: 'HTTP requests to the headless API', labelNames: ['endpoint', 'method', 'status_code'], registers });
  const duration =
    (registry.getSingleMetric(httpMetricNames.requestDuration) as Histogram<'endpoint'> | undefined) ??
    new Histogram({
      name: httpMetricNames.requestDuration,
      help: 'HTTP request duration (a streamed chat counts until its last line)',
      labelNames: ['endpoint'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    });
  return {
    /** Starts timing a request; the numbers are recorded when the response finishes or the client leaves. */
    track(req: IncomingMessage, res: ServerResponse): void {
      const started = performance.now();
      // A request target that is no URL (`//[`) is counted under a bounded label of its own.
      const path = pathOf(req.url);
      const endpoint = path === null ? '/:malformed' : routeOf(path);
      const method = req.method ?? 'GET';
      let done = false;
      // Recorded in a response's event listener: a throw there would end the process.
      const record = () =>
        safely(report, () => {
          if (done) return;
          done = true;
          // A client that hung up mid-stream is 499 (nginx's "client closed request"), not a 200.
          const status = res.writableFinished ? String(res.statusCode) : '499';
          requests.inc({ endpoint, method, status_code: status });
          duration.observe({ endpoint }, (performance.now() - started) / 1000);
        });
      res.once('finish', record);
      res.once('close', record);
    },
  };
}

export function routeOf(path: string): string {
  if (path === httpPaths.chat || path === httpPaths.health || path === httpPaths.events || path === httpPaths.mcp) return path;
  if (path.startsWith(httpPaths.invokePrefix)) {
    const channel = path.slice(httpPaths.invokePrefix.length);
    return isInvokeChannel(channel) ? path : `${httpPaths.invokePrefix}:unknown`;
  }
  if (path.startsWith('/api/')) return '/api/:unknown';
  return '/ui';
}
