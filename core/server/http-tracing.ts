import type { IncomingMessage, ServerResponse } from 'node:http';
import { SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { httpServerSpanName, httpSpanAttributes as H } from '../common/metric-names';
import type { TraceCarrier } from '../common/telemetry';
import { extractTraceContext, injectTraceContext } from '../telemetry/trace-context';
import { safely } from '../telemetry/safely';

export interface ServerSpan {
  /** The span's own context as W3C fields: the work of the request (a chat turn) continues under it. */
  readonly carrier: TraceCarrier | undefined;
}

const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/**
 * A SERVER span for one API request, child of the caller's `traceparent` when it sent a valid one
 * (a malformed one is ignored: the span starts a trace). Named `METHOD route` with the HTTP
 * semantic conventions' attributes; it ends when the response is written or the client leaves,
 * with the status code; 5xx is an error (4xx is the client's, per the conventions).
 */
export function startServerSpan(tracer: Tracer, req: IncomingMessage, res: ServerResponse, route: string, path: string, report: (err: unknown) => void): ServerSpan {
  let span: Span | null = null;
  let carrier: TraceCarrier | undefined;
  safely(report, () => {
    const parent = extractTraceContext(req.headers);
    // Unknown methods are `_OTHER` in the conventions, so a client cannot mint span names.
    const method = knownMethods.has(req.method ?? '') ? req.method! : '_OTHER';
    const local = req.socket.localPort;
    const started = tracer.startSpan(
      httpServerSpanName(method, route),
      {
        kind: SpanKind.SERVER,
        attributes: {
          [H.requestMethod]: method,
          [H.route]: route,
          [H.urlPath]: path,
          [H.urlScheme]: 'http',
          [H.protocolVersion]: req.httpVersion,
          ...(local ? { [H.serverPort]: local } : {}),
          ...(req.socket.localAddress ? { [H.serverAddress]: req.socket.localAddress } : {}),
          ...(req.socket.remoteAddress ? { [H.clientAddress]: req.socket.remoteAddress } : {}),
          ...(typeof req.headers['user-agent'] === 'string' ? { [H.userAgent]: req.headers['user-agent'].slice(0, 256) } : {}),
        },
      },
      parent,
    );
    span = started;
    carrier = injectTraceContext(trace.setSpan(parent, started));
  });
  let ended = false;
  const end = () =>
    safely(report, () => {
      if (ended || !span) return;
      ended = true;
      const s = span as Span;
      if (res.headersSent) s.setAttribute(H.responseStatusCode, res.statusCode);
      if (!res.writableFinished) s.addEvent('client closed the connection');
      if (res.statusCode >= 500) {
        s.setAttribute(H.errorType, String(res.statusCode));
        s.setStatus({ code: SpanStatusCode.ERROR });
      }
      s.end();
    });
  res.once('finish', end);
  res.once('close', end);
  return { carrier };
}
