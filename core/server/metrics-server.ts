import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BrunoError } from '../common/errors';
import { hostOf, isLoopbackHost } from '../config';
import type { MetricsRegistry } from '../telemetry/prom-metrics';
import { hasValidBearer, isAllowedHost } from './auth';
import { openMetricsContentType, openMetricsToPrometheusText, prometheusTextContentType, wantsOpenMetrics } from './metrics-text';
import { pathOf } from './http-helpers';
import type { AuditEventType, AuditLog } from '../telemetry/audit-log';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  registry: MetricsRegistry;
  /** host:port; empty = no endpoint. */
  addr: string;
  token?: string | undefined;
  /** Refused scrapes (foreign Host, missing or wrong token) leave an audit line. */
  audit?: AuditLog;
}

/**
 * `/metrics` for Prometheus on `addr` (default 127.0.0.1:9464), started by the long-running hosts
 * (the desktop app, `serve`); resolves to null when the settings turn it off. Beyond loopback a
 * bearer token is required (the settings refuse such an address without one); on loopback a
 * foreign Host header is refused, as on the API (DNS rebinding would let a web page read it).
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer | null> {
  if (!options.addr) return null;
  const host = hostOf(options.addr).replace(/^\[|\]$/g, '');
  const port = Number(options.addr.slice(options.addr.lastIndexOf(':') + 1));
  const needsToken = !isLoopbackHost(host) || !!options.token;
  const refused = (req: IncomingMessage, event: AuditEventType, reason: string, status: number) =>
    options.audit?.record(event, 'request refused', { reason, endpoint: '/metrics', method: req.method ?? 'GET', status_code: status, client_address: req.socket.remoteAddress ?? null });
  const server: Server = createServer(async (req, res) => {
    const path = pathOf(req.url);
    if (!isAllowedHost(req, host)) {
      refused(req, 'host_refused', 'foreign Host header (DNS rebinding guard)', 421);
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Unexpected Host header\n');
      return;
    }
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Agent Bruno exposes Prometheus metrics at /metrics\n');
      return;
    }
    if (needsToken && !(options.token && hasValidBearer(req, options.token))) {
      refused(req, 'auth_refused', req.headers.authorization ? 'wrong bearer token' : 'no bearer token', 401);
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
