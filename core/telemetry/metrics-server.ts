import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BrunoError } from '../common/errors';
import { hostOf, isLoopbackHost } from '../config';
import { hasValidBearer } from '../server/auth';
import { openMetricsContentType, openMetricsToPrometheusText, prometheusTextContentType, wantsOpenMetrics } from './metrics-text';
import type { MetricsRegistry } from './prom-metrics';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * `/metrics` for Prometheus on `addr` (default 127.0.0.1:9464). Beyond loopback a bearer token is
 * required (the settings refuse such an address without one).
 */
export async function startMetricsServer(options: { registry: MetricsRegistry; addr: string; token?: string | undefined }): Promise<MetricsServer> {
  const host = hostOf(options.addr).replace(/^\[|\]$/g, '');
  const port = Number(options.addr.slice(options.addr.lastIndexOf(':') + 1));
  const needsToken = !isLoopbackHost(host) || !!options.token;
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Agent Bruno exposes Prometheus metrics at /metrics\n');
      return;
    }
    if (needsToken && !(options.token && hasValidBearer(req, options.token))) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('Bearer token required (BRUNO_METRICS_TOKEN)\n');
      return;
    }
    try {
      const body = await options.registry.metrics();
      const open = wantsOpenMetrics(req.headers.accept);
      res.writeHead(200, { 'content-type': open ? openMetricsContentType : prometheusTextContentType, 'cache-control': 'no-store' });
      res.end(open ? body : openMetricsToPrometheusText(body));
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics collection failed: ${(err as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new BrunoError('invalid_request', `Metrics address ${options.addr} is already in use - set BRUNO_METRICS_ADDR to another host:port (or empty to turn /metrics off).`) : err),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const shown = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${shown}:${bound.port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()),
  };
}
