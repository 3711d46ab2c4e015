/**
 * A test OTLP/HTTP receiver: stands in for Grafana Alloy / an OpenTelemetry Collector.
 *
 *   const rx = await startOtlpReceiver();              // 127.0.0.1, random port, mode 'ok'
 *   new OTLPTraceExporter({ url: `${rx.url}/v1/traces` });
 *   ...
 *   const spans = await rx.waitForSpans(2);
 *   await rx.close();
 *
 * Accepts POST /v1/traces, /v1/metrics, /v1/logs with application/x-protobuf (or
 * application/protobuf) and application/json (OTLP/JSON); gzip / deflate / br content-encoding.
 * Modes: 'ok' answers 200 (empty protobuf body, or `{}` for JSON) and keeps the decoded data;
 * 'fail' answers `statusOnFail` (default 503) and keeps nothing; 'hang' reads the request and
 * never answers (until close()). Requests are counted in every mode.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import {
  type DecodedLogRecord,
  type DecodedMetric,
  type DecodedSpan,
  decodeLogsJson,
  decodeLogsRequest,
  decodeMetricsJson,
  decodeMetricsRequest,
  decodeTraceJson,
  decodeTraceRequest,
} from './decode';
import { type AcceptedData, type ReceivedRequest, type Signal, TelemetryStore } from './store';
import { listenOnLoopback } from './listen';

export type ReceiverMode = 'ok' | 'fail' | 'hang';
export type { Signal, ReceivedRequest };

export interface OtlpReceiverOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  mode?: ReceiverMode;
  /** Status answered in 'fail' mode. Default 503 (which OTLP exporters retry: 429/502/503/504). */
  statusOnFail?: number;
  /** When set, 'fail' responses carry `Retry-After: <seconds>`. */
  retryAfterSeconds?: number;
}

export interface OtlpReceiver {
  /** http://127.0.0.1:PORT (no trailing slash, no signal path). */
  readonly url: string;
  readonly port: number;
  readonly mode: ReceiverMode;
  /** Export requests seen per signal, in any mode (including failed / hung / malformed ones). */
  readonly requests: Readonly<Record<Signal, number>>;

  /** Decoded data accumulated from accepted requests, in arrival order. */
  spans(): DecodedSpan[];
  metrics(): DecodedMetric[];
  logs(): DecodedLogRecord[];
  /** Every request with its encoding, compression, headers and the status answered. */
  requestLog(): ReceivedRequest[];
  /** Decoding / protocol errors (the request got a 4xx). Assert this is empty in tests. */
  errors(): string[];

  /** First span with that name (undefined if none). */
  findSpan(name: string): DecodedSpan | undefined;
  /** Latest metric with that name (metrics are re-exported on every collection). */
  findMetric(name: string): DecodedMetric | undefined;

  /** Resolves with the first truthy value of `probe`, re-checked on every arrival. */
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  /** Resolves once at least `n` spans were accepted; returns all spans so far. */
  waitForSpans(n: number, timeoutMs?: number): Promise<DecodedSpan[]>;
  /** Resolves once at least `n` log records were accepted; returns all records so far. */
  waitForLogs(n: number, timeoutMs?: number): Promise<DecodedLogRecord[]>;
  /** Resolves with the latest metric called `name` that satisfies `predicate` (if given). */
  waitForMetric(name: string, predicate?: (m: DecodedMetric) => boolean, timeoutMs?: number): Promise<DecodedMetric>;
  /** Resolves once at least `n` requests for `signal` arrived (any mode). */
  waitForRequests(signal: Signal, n: number, timeoutMs?: number): Promise<void>;

  setMode(mode: ReceiverMode, statusOnFail?: number): void;
  /** Forgets everything received (data, counts, log, errors); keeps the mode. */
  reset(): void;
  /** Stops listening and destroys every socket (hung requests included). Idempotent. */
  close(): Promise<void>;
}

const PATHS: Record<string, Signal> = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };
const MAX_BODY = 64 * 1024 * 1024;

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const brotli = promisify(zlib.brotliDecompress);

type Decoded = AcceptedData;

function decodeBody(signal: Signal, encoding: 'protobuf' | 'json', body: Buffer): { items: number; data: Decoded } {
  if (encoding === 'json') {
    const json: unknown = JSON.parse(body.toString('utf8'));
    if (signal === 'traces') {
      const spans = decodeTraceJson(json);
      return { items: spans.length, data: { spans } };
    }
    if (signal === 'metrics') {
      const metrics = decodeMetricsJson(json);
      return { items: metrics.length, data: { metrics } };
    }
    const logs = decodeLogsJson(json);
    return { items: logs.length, data: { logs } };
  }
  const bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (signal === 'traces') {
    const spans = decodeTraceRequest(bytes);
    return { items: spans.length, data: { spans } };
  }
  if (signal === 'metrics') {
    const metrics = decodeMetricsRequest(bytes);
    return { items: metrics.length, data: { metrics } };
  }
  const logs = decodeLogsRequest(bytes);
  return { items: logs.length, data: { logs } };
}

export async function decompress(encoding: string, body: Buffer): Promise<Buffer> {
  switch (encoding) {
    case 'identity':
      return body;
    case 'gzip':
    case 'x-gzip':
      return gunzip(body);
    case 'deflate':
      return inflate(body);
    case 'br':
      return brotli(body);
    default:
      throw new Error(`unsupported content-encoding ${encoding}`);
  }
}

/** Store + accessors shared by the HTTP and gRPC receivers. */
export abstract class ReceiverBase implements OtlpReceiver {
  protected readonly store = new TelemetryStore();
  protected _mode: ReceiverMode;
  protected statusOnFail: number;
  abstract readonly url: string;
  abstract readonly port: number;

  protected constructor(mode: ReceiverMode, statusOnFail: number) {
    this._mode = mode;
    this.statusOnFail = statusOnFail;
  }

  get mode(): ReceiverMode {
    return this._mode;
  }
  get requests(): Readonly<Record<Signal, number>> {
    return { ...this.store.requests };
  }
  spans(): DecodedSpan[] {
    return this.store.spans();
  }
  metrics(): DecodedMetric[] {
    return this.store.metrics();
  }
  logs(): DecodedLogRecord[] {
    return this.store.logs();
  }
  requestLog(): ReceivedRequest[] {
    return this.store.requestLog();
  }
  errors(): string[] {
    return this.store.errors();
  }
  findSpan(name: string): DecodedSpan | undefined {
    return this.store.spans().find((s) => s.name === name);
  }
  findMetric(name: string): DecodedMetric | undefined {
    return this.store
      .metrics()
      .filter((m) => m.name === name)
      .pop();
  }
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    return this.store.waitFor(probe, timeoutMs);
  }
  waitForSpans(n: number, timeoutMs = 5000): Promise<DecodedSpan[]> {
    return this.store.waitFor(() => {
      const s = this.store.spans();
      return s.length >= n && s;
    }, timeoutMs, `${n} span(s)`);
  }
  waitForLogs(n: number, timeoutMs = 5000): Promise<DecodedLogRecord[]> {
    return this.store.waitFor(() => {
      const l = this.store.logs();
      return l.length >= n && l;
    }, timeoutMs, `${n} log record(s)`);
  }
  waitForMetric(name: string, predicate?: (m: DecodedMetric) => boolean, timeoutMs = 5000): Promise<DecodedMetric> {
    return this.store.waitFor(
      () =>
        this.store
          .metrics()
          .filter((m) => m.name === name && (!predicate || predicate(m)))
          .pop(),
      timeoutMs,
      `metric ${name}`,
    );
  }
  async waitForRequests(signal: Signal, n: number, timeoutMs = 5000): Promise<void> {
    await this.store.waitFor(() => this.store.requests[signal] >= n, timeoutMs, `${n} ${signal} request(s)`);
  }
  setMode(mode: ReceiverMode, statusOnFail?: number): void {
    this._mode = mode;
    if (statusOnFail !== undefined) this.statusOnFail = statusOnFail;
  }
  reset(): void {
    this.store.reset();
  }
  abstract close(): Promise<void>;
}

class HttpOtlpReceiver extends ReceiverBase {
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly retryAfterSeconds: number | undefined;
  private closing: Promise<void> | undefined;
  url = '';
  port = 0;

  constructor(opts: OtlpReceiverOptions) {
    super(opts.mode ?? 'ok', opts.statusOnFail ?? 503);
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // Node's default request timeout would eventually answer hung requests with 408.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 0;
  }

  async listen(port: number): Promise<void> {
    this.port = await listenOnLoopback(this.server, port);
    this.url = `http://127.0.0.1:${this.port}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    const signal = PATHS[path];
    if (!signal) return this.reply(res, 404, 'text/plain', `no OTLP endpoint at ${path}`);
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return this.reply(res, 405, 'text/plain', 'use POST');
    }
    this.store.countRequest(signal);

    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const encoding =
      mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf'
        ? 'protobuf'
        : mediaType === 'application/json'
          ? 'json'
          : undefined;
    const compression = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase() || 'identity';
    const entry: ReceivedRequest = {
      signal,
      encoding: encoding ?? 'protobuf',
      compression,
      bytes: 0,
      headers: { ...req.headers },
      status: 0,
      items: 0,
    };

    let raw: Buffer;
    try {
      raw = await readBody(req);
    } catch (err) {
      entry.error = `reading body: ${(err as Error).message}`;
      entry.status = 400;
      this.store.record(entry, undefined);
      return this.reply(res, 400, 'text/plain', entry.error);
    }
    entry.bytes = raw.length;

    if (!encoding) {
      entry.error = `unsupported content-type ${mediaType || '(none)'}`;
      entry.status = 415;
      this.store.record(entry, undefined);
      return this.reply(res, 415, 'text/plain', entry.error);
    }

    let decoded: { items: number; data: Decoded };
    try {
      decoded = decodeBody(signal, encoding, await decompress(compression, raw));
    } catch (err) {
      const unsupported = /unsupported content-encoding/.test((err as Error).message);
      entry.error = (err as Error).message;
      entry.status = unsupported ? 415 : 400;
      this.store.record(entry, undefined);
      return this.reply(res, entry.status, 'text/plain', entry.error);
    }
    entry.items = decoded.items;

    switch (this._mode) {
      case 'hang':
        entry.status = 'hung';
        this.store.record(entry, undefined);
        return; // never answer; close() destroys the socket
      case 'fail':
        entry.status = this.statusOnFail;
        this.store.record(entry, undefined);
        if (this.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(this.retryAfterSeconds));
        return this.reply(res, this.statusOnFail, 'text/plain', 'otlp-receiver: failing on purpose');
      case 'ok':
        entry.status = 200;
        this.store.record(entry, decoded.data);
        if (encoding === 'json') return this.reply(res, 200, 'application/json', '{}');
        // An empty Export*ServiceResponse (no partial_success) encodes to zero bytes.
        return this.reply(res, 200, 'application/x-protobuf', Buffer.alloc(0));
    }
  }

  private reply(res: http.ServerResponse, status: number, contentType: string, body: string | Buffer): void {
    if (res.writableEnded || res.destroyed) return;
    res.statusCode = status;
    res.setHeader('content-type', contentType);
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
      this.sockets.clear();
      this.server.closeAllConnections();
    });
    return this.closing;
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`body larger than ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('request aborted')));
  });
}

/** Starts an OTLP/HTTP receiver on 127.0.0.1. */
export async function startOtlpReceiver(opts: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const rx = new HttpOtlpReceiver(opts);
  await rx.listen(opts.port ?? 0);
  return rx;
}
