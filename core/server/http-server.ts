import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { BrunoError } from '../common/errors';
import { httpPaths } from '../common/http-api';
import { createBrunoMcp, handleMcpPost, refuseMcpMethod } from '../mcp';
import { appVersion, type Core } from '../runtime';
import { hasValidBearer, isAllowedHost, unauthorizedMessage } from './auth';
import { handleInvoke, handleEvents } from './bridge-endpoints';
import { handleChat } from './chat-endpoint';
import { decodePathPart, pathOf, readJsonBody, sendError, sendJson } from './http-helpers';
import { createHttpMetrics, routeOf } from './http-metrics';
import { startServerSpan } from './http-tracing';
import { ForbiddenKeyError } from '../common/hostile-keys';
import type { AuditEventType } from '../telemetry/audit-log';
import { createStaticFiles } from './static-files';

export interface HttpServerOptions {
  core: Core;
  host: string;
  port: number;
  token: string;
  /** The built renderer (`out/renderer`). */
  staticDir: string;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Headless mode: the renderer and the contract over HTTP, plus the public chat API. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const staticFiles = createStaticFiles(resolve(options.staticDir));
  const { core, token } = options;
  const mcp = createBrunoMcp({ handlers: core.handlers, events: core.events, version: appVersion });

  /** One audit line per refused request: why, where, from which address; never the token. */
  const refused = (req: IncomingMessage, path: string, event: AuditEventType, reason: string, status: number) =>
    core.audit.record(event, 'request refused', { reason, endpoint: routeOf(path), method: req.method ?? 'GET', status_code: status, client_address: req.socket.remoteAddress ?? null });
  const unauthorized = (req: IncomingMessage, res: ServerResponse, path: string) => {
    refused(req, path, 'auth_refused', req.headers.authorization ? 'wrong bearer token' : 'no bearer token', 401);
    return sendJson(res, 401, { error: { code: 'unauthorized', message: unauthorizedMessage } });
  };
  const tracer = core.telemetry.tracer;
  const reportTracing = (err: unknown) => core.logger.warn('HTTP tracing failed (the request goes on)', { detail: err instanceof Error ? err.message : String(err) });

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const path = pathOf(req.url);
    if (path === null) throw new BrunoError('invalid_request', 'The request target is not a valid path');
    if (!isAllowedHost(req, options.host)) {
      refused(req, path, 'host_refused', 'foreign Host header (DNS rebinding guard)', 421);
      return sendJson(res, 421, { error: { code: 'invalid_request', message: 'Unexpected Host header' } });
    }
    if (path === httpPaths.mcp) {
      if (!hasValidBearer(req, token)) {
        res.setHeader('www-authenticate', 'Bearer');
        return unauthorized(req, res, path);
      }
      if (req.method !== 'POST') return refuseMcpMethod(res);
      const span = startServerSpan(tracer, req, res, routeOf(path), path, reportTracing);
      return handleMcpPost(mcp, req, res, await readJsonBody(req, res), span.carrier);
    }
    if (!path.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new BrunoError('not_found', `No ${req.method} route for ${path}`);
      return staticFiles(path, res);
    }
    if (!hasValidBearer(req, token)) return unauthorized(req, res, path);
    // The event stream lasts as long as the window is open: a span for it would never end.
    if (path === httpPaths.events && req.method === 'GET') return handleEvents(res, core.events);
    const span = startServerSpan(tracer, req, res, routeOf(path), path, reportTracing);
    try {
      if (path === httpPaths.health && req.method === 'GET') return sendJson(res, 200, await core.handlers['health.get'](undefined));
      if (path === httpPaths.chat && req.method === 'POST') return await handleChat(req, res, core.agent, span.carrier);
      if (path.startsWith(httpPaths.invokePrefix) && req.method === 'POST') {
        return await handleInvoke(req, res, decodePathPart(path.slice(httpPaths.invokePrefix.length)), core.handlers, {
          trace: span.carrier,
          onForbiddenKey: (err) => refused(req, path, 'forbidden_keys_refused', `forbidden key ${err.keyPath}`, 400),
        });
      }
    } catch (err) {
      if (err instanceof ForbiddenKeyError) refused(req, path, 'forbidden_keys_refused', `forbidden key ${err.keyPath}`, 400);
      throw err;
    }
    throw new BrunoError('not_found', `No ${req.method} route for ${path}. See the README for the API.`);
  };

  const metrics = createHttpMetrics(core.telemetry.registry, (err) => core.logger.warn('HTTP metrics failed (the request goes on)', { detail: err instanceof Error ? err.message : String(err) }));
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((req, res) => {
    metrics.track(req, res);
    route(req, res).catch((err) => {
      if (res.headersSent) res.destroy();
      else sendError(res, err);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(new BrunoError('invalid_request', `Port ${options.port} on ${options.host} is already in use - set BRUNO_PORT to another port.`));
      } else reject(err);
    });
    server.listen(options.port, options.host, () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((done) => {
        mcp.close();
        server.close(() => done());
        // Event streams never end by themselves.
        for (const socket of sockets) socket.destroy();
      }),
  };
}
