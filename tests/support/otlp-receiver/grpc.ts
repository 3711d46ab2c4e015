/**
 * The OTLP/gRPC flavour of the test receiver (for the *-otlp-grpc exporters), on node:http2
 * without TLS (h2c with prior knowledge, which is what grpc-js does for an `http://` url).
 *
 *   const rx = await startOtlpGrpcReceiver();
 *   new OTLPTraceExporter({ url: rx.url });            // from @opentelemetry/exporter-trace-otlp-grpc
 *
 * Same API and modes as the HTTP receiver; in 'fail' mode it answers with gRPC status
 * `grpcStatusOnFail` (default 14 UNAVAILABLE), and `setMode('fail', code)` takes a gRPC code.
 * gRPC framing (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md): each message
 * is a 1-byte compressed flag, a 4-byte big-endian length, then the protobuf bytes.
 */
import http2 from 'node:http2';
import { decodeLogsRequest, decodeMetricsRequest, decodeTraceRequest } from './decode';
import { type OtlpReceiver, type ReceiverMode, ReceiverBase, decompress } from './receiver';
import type { AcceptedData, ReceivedRequest, Signal } from './store';
import { listenOnLoopback } from './listen';

export interface OtlpGrpcReceiverOptions {
  port?: number;
  mode?: ReceiverMode;
  /** gRPC status code for 'fail' mode. Default 14 (UNAVAILABLE). */
  grpcStatusOnFail?: number;
}

const SERVICES: Record<string, Signal> = {
  '/opentelemetry.proto.collector.trace.v1.TraceService/Export': 'traces',
  '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export': 'metrics',
  '/opentelemetry.proto.collector.logs.v1.LogsService/Export': 'logs',
};

const GRPC_OK = 0;
const GRPC_INVALID_ARGUMENT = 3;
const GRPC_UNIMPLEMENTED = 12;

/** Splits a gRPC request body into its length-prefixed messages (decompressed). */
async function readGrpcMessages(body: Buffer, encoding: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < body.length) {
    if (pos + 5 > body.length) throw new Error('truncated gRPC message header');
    const compressed = body[pos]! === 1;
    const len = body.readUInt32BE(pos + 1);
    pos += 5;
    if (pos + len > body.length) throw new Error('truncated gRPC message');
    const msg = body.subarray(pos, pos + len);
    pos += len;
    out.push(compressed ? await decompress(encoding, msg) : msg);
  }
  return out;
}

class GrpcOtlpReceiver extends ReceiverBase {
  private readonly server: http2.Http2Server;
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private closing: Promise<void> | undefined;
  url = '';
  port = 0;

  constructor(opts: OtlpGrpcReceiverOptions) {
    super(opts.mode ?? 'ok', opts.grpcStatusOnFail ?? 14);
    this.server = http2.createServer();
    this.server.on('session', (session) => {
      this.sessions.add(session);
      session.on('close', () => this.sessions.delete(session));
      session.on('error', () => undefined);
    });
    this.server.on('stream', (stream, headers) => void this.handle(stream, headers));
  }

  async listen(port: number): Promise<void> {
    this.port = await listenOnLoopback(this.server, port);
    this.url = `http://127.0.0.1:${this.port}`;
  }

  private async handle(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): Promise<void> {
    stream.on('error', () => undefined);
    const path = String(headers[':path'] ?? '');
    const signal = SERVICES[path];
    if (!signal) return this.trailersOnly(stream, GRPC_UNIMPLEMENTED, `unknown method ${path}`);
    this.store.countRequest(signal);

    const metadata: Record<string, string | string[] | undefined> = {};
    for (const [k, v] of Object.entries(headers)) if (!k.startsWith(':')) metadata[k] = v;
    const encoding = String(headers['grpc-encoding'] ?? 'identity').toLowerCase();
    const entry: ReceivedRequest = {
      signal,
      encoding: 'grpc',
      compression: encoding,
      bytes: 0,
      headers: metadata,
      status: 0,
      items: 0,
    };

    const chunks: Buffer[] = [];
    try {
      for await (const c of stream) chunks.push(c as Buffer);
    } catch (err) {
      entry.error = `reading body: ${(err as Error).message}`;
      entry.status = GRPC_INVALID_ARGUMENT;
      this.store.record(entry, undefined);
      return this.trailersOnly(stream, GRPC_INVALID_ARGUMENT, entry.error);
    }
    const body = Buffer.concat(chunks);
    entry.bytes = body.length;

    let data: AcceptedData;
    try {
      const msgs = await readGrpcMessages(body, encoding);
      if (msgs.length !== 1) throw new Error(`expected 1 message in a unary call, got ${msgs.length}`);
      const bytes = new Uint8Array(msgs[0]!.buffer, msgs[0]!.byteOffset, msgs[0]!.byteLength);
      if (signal === 'traces') data = { spans: decodeTraceRequest(bytes) };
      else if (signal === 'metrics') data = { metrics: decodeMetricsRequest(bytes) };
      else data = { logs: decodeLogsRequest(bytes) };
      entry.items = data.spans?.length ?? data.metrics?.length ?? data.logs?.length ?? 0;
    } catch (err) {
      entry.error = (err as Error).message;
      entry.status = GRPC_INVALID_ARGUMENT;
      this.store.record(entry, undefined);
      return this.trailersOnly(stream, GRPC_INVALID_ARGUMENT, entry.error);
    }

    switch (this._mode) {
      case 'hang':
        entry.status = 'hung';
        this.store.record(entry, undefined);
        return;
      case 'fail':
        entry.status = this.statusOnFail;
        this.store.record(entry, undefined);
        return this.trailersOnly(stream, this.statusOnFail, 'otlp-receiver: failing on purpose');
      case 'ok': {
        entry.status = GRPC_OK;
        this.store.record(entry, data);
        if (stream.destroyed) return;
        stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(GRPC_OK) }));
        // One empty Export*ServiceResponse: uncompressed flag + zero length.
        stream.end(Buffer.from([0, 0, 0, 0, 0]));
        return;
      }
    }
  }

  /** A "Trailers-Only" response: status in the only HEADERS frame. */
  private trailersOnly(stream: http2.ServerHttp2Stream, code: number, message: string): void {
    if (stream.destroyed || stream.headersSent) return;
    stream.respond(
      {
        ':status': 200,
        'content-type': 'application/grpc+proto',
        'grpc-status': String(code),
        'grpc-message': encodeURIComponent(message),
      },
      { endStream: true },
    );
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sessions) s.destroy();
      this.sessions.clear();
    });
    return this.closing;
  }
}

/** Starts an OTLP/gRPC receiver on 127.0.0.1 (plaintext HTTP/2). */
export async function startOtlpGrpcReceiver(opts: OtlpGrpcReceiverOptions = {}): Promise<OtlpReceiver> {
  const rx = new GrpcOtlpReceiver(opts);
  await rx.listen(opts.port ?? 0);
  return rx;
}
