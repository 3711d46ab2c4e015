/**
 * The test OTLP receiver, driven by the real OpenTelemetry JS SDK exporters (http/protobuf):
 * what the SDK sends must come back out of the receiver's decoder intact.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, ValueType, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as OTLPTraceExporterGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPMetricExporter as OTLPMetricExporterGrpc } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPLogExporter as OTLPLogExporterGrpc } from '@opentelemetry/exporter-logs-otlp-grpc';
import { type OtlpReceiver, startOtlpReceiver } from '../support/otlp-receiver/receiver';
import { startOtlpGrpcReceiver } from '../support/otlp-receiver/grpc';
import { readMessage, getUint64, getInt64, getSint, getString, getRepeatedDouble } from '../support/otlp-receiver/protobuf-wire';

type TraceExporterConfig = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>;

const resource = resourceFromAttributes({ 'service.name': 't', 'service.version': '1.2.3' });
const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

let receiver: OtlpReceiver | undefined;
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  await receiver?.close();
  receiver = undefined;
});

async function start(opts?: Parameters<typeof startOtlpReceiver>[0]): Promise<OtlpReceiver> {
  receiver = await startOtlpReceiver(opts);
  return receiver;
}

/** One span through an exporter, resolved with the export result (no provider involved). */
function exportOneSpan(exporter: Pick<OTLPTraceExporter, 'export'>): Promise<ExportResult> {
  const provider = new BasicTracerProvider({ resource });
  const captured: ReadableSpan[] = [];
  const span = provider.getTracer('t').startSpan('lonely');
  span.end();
  captured.push(span as unknown as ReadableSpan);
  return new Promise((resolve) => exporter.export(captured, resolve));
}

describe('protobuf wire decoder', () => {
  it('reads varints, negative int64, zigzag, fixed64, packed doubles and skips unknown fields', () => {
    // field 1 varint 300; field 2 int64 -2 (10-byte varint); field 3 sint 1 -> -1 (zigzag);
    // field 4 fixed64 = 2^40; field 5 len "hi"; field 6 packed doubles [1.5, -2];
    // field 7 start-group { field 1 varint 1 } end-group (skipped)
    const dbl = Buffer.alloc(16);
    dbl.writeDoubleLE(1.5, 0);
    dbl.writeDoubleLE(-2, 8);
    const fixed = Buffer.alloc(8);
    fixed.writeBigUInt64LE(2n ** 40n);
    const bytes = Buffer.concat([
      Buffer.from([0x08, 0xac, 0x02]),
      Buffer.from([0x10, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
      Buffer.from([0x18, 0x01]),
      Buffer.from([0x21]),
      fixed,
      Buffer.from([0x2a, 0x02, 0x68, 0x69]),
      Buffer.from([0x32, 0x10]),
      dbl,
      Buffer.from([0x3b, 0x08, 0x01, 0x3c]),
    ]);
    const m = readMessage(bytes);
    expect(getUint64(m, 1)).toBe(300n);
    expect(getInt64(m, 2)).toBe(-2n);
    expect(getSint(m, 3)).toBe(-1n);
    expect(getUint64(m, 4)).toBe(2n ** 40n);
    expect(getString(m, 5)).toBe('hi');
    expect(getRepeatedDouble(m, 6)).toEqual([1.5, -2]);
    expect(m.has(7)).toBe(false);
    expect(() => readMessage(Buffer.from([0x2a, 0x05, 0x68]))).toThrow(/truncated/);
  });
});

describe('OTLP receiver with the real SDK exporters (http/protobuf)', () => {
  it('decodes a parent/child trace: ids, parent link, attributes, event, status, resource', async () => {
    const rx = await start();
    const provider = new BasicTracerProvider({
      resource,
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${rx.url}/v1/traces` }))],
    });
    cleanups.push(() => provider.shutdown());
    const tracer = provider.getTracer('agent-bruno-test', '0.0.1');

    const parent = tracer.startSpan('chat.turn', { kind: SpanKind.SERVER });
    const child = tracer.startSpan(
      'llm.generate',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          's': 'hello',
          'i': 42,
          'neg': -7,
          'd': 3.25,
          'b': true,
          'f': false,
          'arr': ['a', 'b'],
          'nums': [1, 2.5],
        },
      },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
    child.addEvent('first_token', { 'ttft.ms': 12.5, 'token': 'Hi' });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'model crashed' });
    child.end();
    parent.setStatus({ code: SpanStatusCode.OK });
    parent.end();
    await provider.forceFlush();

    const spans = await rx.waitForSpans(2);
    expect(rx.errors()).toEqual([]);
    const p = rx.findSpan('chat.turn')!;
    const c = rx.findSpan('llm.generate')!;
    expect(p).toBeDefined();
    expect(c).toBeDefined();
    expect(spans).toHaveLength(2);

    expect(p.traceId).toMatch(HEX32);
    expect(p.spanId).toMatch(HEX16);
    expect(p.traceId).toBe(parent.spanContext().traceId);
    expect(p.spanId).toBe(parent.spanContext().spanId);
    expect(p.parentSpanId).toBeUndefined();
    expect(c.traceId).toBe(p.traceId);
    expect(c.spanId).toBe(child.spanContext().spanId);
    expect(c.parentSpanId).toBe(p.spanId);

    expect(p.kindName).toBe('server');
    expect(c.kind).toBe(SpanKind.CLIENT + 1);
    expect(c.kindName).toBe('client');

    expect(c.attributes).toEqual({ s: 'hello', i: 42, neg: -7, d: 3.25, b: true, f: false, arr: ['a', 'b'], nums: [1, 2.5] });
    expect(c.status).toEqual({ code: SpanStatusCode.ERROR, codeName: 'error', message: 'model crashed' });
    expect(p.status).toMatchObject({ code: SpanStatusCode.OK, codeName: 'ok' });
    expect(c.events).toHaveLength(1);
    expect(c.events[0]).toMatchObject({ name: 'first_token', attributes: { 'ttft.ms': 12.5, token: 'Hi' } });
    expect(c.events[0]!.timeUnixNano).toBeGreaterThanOrEqual(c.startTimeUnixNano);

    expect(typeof c.startTimeUnixNano).toBe('bigint');
    expect(c.endTimeUnixNano).toBeGreaterThanOrEqual(c.startTimeUnixNano);
    // plausible wall clock (within a minute of now)
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    expect(nowNs - p.startTimeUnixNano < 60_000_000_000n).toBe(true);
    expect(c.durationMs).toBeGreaterThanOrEqual(0);
    expect(c.flags & 0xff).toBe(1); // sampled

    expect(c.resource['service.name']).toBe('t');
    expect(c.resource['service.version']).toBe('1.2.3');
    expect(c.resource['telemetry.sdk.language']).toBeUndefined(); // resourceFromAttributes adds nothing
    expect(c.scope).toEqual({ name: 'agent-bruno-test', version: '0.0.1', attributes: {} });

    expect(rx.requests.traces).toBe(2); // SimpleSpanProcessor: one request per span
    expect(rx.requestLog()[0]).toMatchObject({ signal: 'traces', encoding: 'protobuf', status: 200, items: 1 });
    expect(String(rx.requestLog()[0]!.headers['user-agent'])).toMatch(/OTel-OTLP-Exporter-JavaScript/);
  });

  it('decodes counter, histogram (explicit buckets) and gauge data points', async () => {
    const rx = await start();
    const provider = new MeterProvider({
      resource,
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter({ url: `${rx.url}/v1/metrics` }),
          exportIntervalMillis: 60_000,
        }),
      ],
    });
    cleanups.push(() => provider.shutdown());
    const meter = provider.getMeter('agent-bruno-test');

    const tokens = meter.createCounter('llm.tokens', { unit: '{token}', description: 'tokens', valueType: ValueType.INT });
    tokens.add(3, { 'model': 'llama3', 'direction': 'out' });
    tokens.add(2, { 'model': 'llama3', 'direction': 'out' });
    tokens.add(7, { 'model': 'llama3', 'direction': 'in' });
    const cost = meter.createCounter('llm.cost');
    cost.add(0.25);
    const latency = meter.createHistogram('llm.latency', {
      unit: 'ms',
      advice: { explicitBucketBoundaries: [10, 100, 1000] },
    });
    for (const v of [5, 50, 60, 500, 5000]) latency.record(v, { 'model': 'llama3' });
    const ctx = meter.createGauge('llm.context.used');
    ctx.record(0.75, { 'model': 'llama3' });

    await provider.forceFlush();
    await rx.waitForMetric('llm.context.used');
    expect(rx.errors()).toEqual([]);

    const t = rx.findMetric('llm.tokens')!;
    expect(t).toMatchObject({
      type: 'sum',
      unit: '{token}',
      description: 'tokens',
      isMonotonic: true,
      temporality: 'cumulative',
      scope: { name: 'agent-bruno-test' },
    });
    expect(t.resource['service.name']).toBe('t');
    const byDir = Object.fromEntries(t.dataPoints.map((dp) => [dp.attributes['direction'], dp]));
    expect(byDir['out']).toMatchObject({ value: 5, valueType: 'int', attributes: { model: 'llama3', direction: 'out' } });
    expect(byDir['in']).toMatchObject({ value: 7, valueType: 'int' });

    expect(rx.findMetric('llm.cost')!.dataPoints).toMatchObject([{ value: 0.25, valueType: 'double', attributes: {} }]);

    const h = rx.findMetric('llm.latency')!;
    expect(h.type).toBe('histogram');
    expect(h.unit).toBe('ms');
    expect(h.temporality).toBe('cumulative');
    expect(h.dataPoints).toHaveLength(1);
    const hp = h.dataPoints[0]!;
    expect(hp.explicitBounds).toEqual([10, 100, 1000]);
    expect(hp.bucketCounts).toEqual([1, 2, 1, 1]);
    expect(hp).toMatchObject({ count: 5, sum: 5615, min: 5, max: 5000, attributes: { model: 'llama3' } });
    expect(hp.timeUnixNano).toBeGreaterThanOrEqual(hp.startTimeUnixNano);

    const g = rx.findMetric('llm.context.used')!;
    expect(g.type).toBe('gauge');
    expect(g.temporality).toBeUndefined();
    expect(g.dataPoints).toMatchObject([{ value: 0.75, attributes: { model: 'llama3' } }]);

    // Cumulative: a second collection re-exports the running totals; findMetric returns the latest.
    tokens.add(1, { 'model': 'llama3', 'direction': 'in' });
    await provider.forceFlush();
    const t2 = await rx.waitForMetric('llm.tokens', (m) => m.dataPoints.some((dp) => dp.value === 8));
    expect(t2.dataPoints.find((dp) => dp.attributes['direction'] === 'in')!.value).toBe(8);
    expect(rx.requests.metrics).toBe(2);
  });

  it('decodes log records: body, severity, attributes, trace context, structured body', async () => {
    const rx = await start();
    const processor = new BatchLogRecordProcessor({
      exporter: new OTLPLogExporter({ url: `${rx.url}/v1/logs` }),
      scheduledDelayMillis: 60_000,
    });
    const provider = new LoggerProvider({ resource, processors: [processor] });
    cleanups.push(() => provider.shutdown());
    const logger = provider.getLogger('agent-bruno-log', '9.9.9');

    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const spanId = 'b7ad6b7169203331';
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: 1 });
    logger.emit({
      body: 'answer streamed',
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      attributes: { 'chat.id': 'c-1', 'tokens': 17, 'ok': true, 'tags': ['x', 'y'] },
      timestamp: new Date('2030-01-02T03:04:05.678Z'),
      context: ctx,
    });
    logger.emit({ body: { 'event': 'ingest', 'files': 3, 'nested': { 'deep': [1, 'two'] } }, severityNumber: SeverityNumber.INFO });
    await provider.forceFlush();

    const logs = await rx.waitForLogs(2);
    expect(rx.errors()).toEqual([]);
    const [a, b] = logs;
    expect(a).toMatchObject({
      body: 'answer streamed',
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      attributes: { 'chat.id': 'c-1', tokens: 17, ok: true, tags: ['x', 'y'] },
      traceId,
      spanId,
      flags: 1,
      scope: { name: 'agent-bruno-log', version: '9.9.9' },
    });
    expect(a!.timeUnixNano).toBe(BigInt(Date.parse('2030-01-02T03:04:05.678Z')) * 1_000_000n);
    expect(a!.observedTimeUnixNano).toBeGreaterThan(0n);
    expect(a!.resource['service.name']).toBe('t');

    expect(b!.body).toEqual({ event: 'ingest', files: 3, nested: { deep: [1, 'two'] } });
    expect(b!.severityNumber).toBe(SeverityNumber.INFO);
    expect(b!.severityText).toBe('');
    expect(b!.traceId).toBeUndefined();
    expect(b!.spanId).toBeUndefined();
    expect(rx.requests.logs).toBe(1); // one batch
  });

  it('mode fail: the exporter reports FAILED (non-retryable 400 and retryable 503); nothing is stored', async () => {
    const rx = await start({ mode: 'fail', statusOnFail: 400 });
    const exporter = new OTLPTraceExporter({ url: `${rx.url}/v1/traces`, timeoutMillis: 500 });
    cleanups.push(() => exporter.shutdown());

    const r1 = await exportOneSpan(exporter);
    expect(r1.code).toBe(ExportResultCode.FAILED);
    expect(rx.requests.traces).toBe(1);
    expect(rx.spans()).toEqual([]);
    expect(rx.requestLog()[0]).toMatchObject({ status: 400, items: 1 });

    // 503 is retryable; with a 500 ms budget the first backoff (~1 s) does not fit, so one attempt.
    rx.setMode('fail', 503);
    const r2 = await exportOneSpan(exporter);
    expect(r2.code).toBe(ExportResultCode.FAILED);
    expect(rx.requests.traces).toBe(2);

    rx.setMode('ok');
    const r3 = await exportOneSpan(exporter);
    expect(r3.code).toBe(ExportResultCode.SUCCESS);
    expect(rx.spans().map((s) => s.name)).toEqual(['lonely']);

    rx.reset();
    expect(rx.requests).toEqual({ traces: 0, metrics: 0, logs: 0 });
    expect(rx.spans()).toEqual([]);
  });

  it('mode hang: the request is counted, never answered, and close() still resolves quickly', async () => {
    const rx = await start({ mode: 'hang' });
    const exporter = new OTLPTraceExporter({ url: `${rx.url}/v1/traces`, timeoutMillis: 1000 });
    const pending = exportOneSpan(exporter);
    await rx.waitForRequests('traces', 1);
    await rx.waitFor(() => rx.requestLog().some((r) => r.status === 'hung'));

    const t0 = Date.now();
    await rx.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(rx.spans()).toEqual([]);

    const result = await pending; // socket destroyed -> retry -> refused / deadline -> FAILED
    expect(result.code).toBe(ExportResultCode.FAILED);
    await exporter.shutdown();
  });

  it('accepts gzip-compressed protobuf from the exporter', async () => {
    const rx = await start();
    const exporter = new OTLPTraceExporter({ url: `${rx.url}/v1/traces`, compression: 'gzip' as TraceExporterConfig['compression'] });
    cleanups.push(() => exporter.shutdown());
    const r = await exportOneSpan(exporter);
    expect(r.code).toBe(ExportResultCode.SUCCESS);
    expect(rx.requestLog()[0]).toMatchObject({ compression: 'gzip', status: 200 });
    expect(rx.findSpan('lonely')?.resource['service.name']).toBe('t');
  });

  it('accepts OTLP/JSON (gzip too) and rejects other content types with 415, bad bodies with 400', async () => {
    const rx = await start();
    const json = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'json-svc' } }] },
          scopeSpans: [
            {
              scope: { name: 'js' },
              spans: [
                {
                  traceId: '5B8EFFF798038103D269B633813FC60C',
                  spanId: 'EEE19B7EC3C1B174',
                  parentSpanId: 'EEE19B7EC3C1B173',
                  name: 'json-span',
                  kind: 2,
                  startTimeUnixNano: '1544712660000000000',
                  endTimeUnixNano: '1544712661000000000',
                  attributes: [
                    { key: 'n', value: { intValue: '9007199254740993' } },
                    { key: 'l', value: { arrayValue: { values: [{ boolValue: true }, { doubleValue: 1.5 }] } } },
                  ],
                  status: { code: 2, message: 'x' },
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(`${rx.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify(json)),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const s = rx.findSpan('json-span')!;
    expect(s).toMatchObject({
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      parentSpanId: 'eee19b7ec3c1b173',
      kindName: 'server',
      startTimeUnixNano: 1544712660000000000n,
      durationMs: 1000,
      attributes: { n: 9007199254740993n, l: [true, 1.5] },
      status: { code: 2, codeName: 'error', message: 'x' },
      resource: { 'service.name': 'json-svc' },
    });

    const text = await fetch(`${rx.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(text.status).toBe(415);
    const bad = await fetch(`${rx.url}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array([0x0a, 0x05, 0x01]),
    });
    expect(bad.status).toBe(400);
    expect(rx.errors()).toHaveLength(2);
    expect((await fetch(`${rx.url}/v1/nope`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${rx.url}/v1/traces`)).status).toBe(405);
    expect(rx.requests).toEqual({ traces: 1, metrics: 1, logs: 1 });
  });
});

describe('OTLP/gRPC receiver with the real SDK grpc exporters', () => {
  it('decodes traces, metrics and logs sent over gRPC (gzip too)', async () => {
    const rx = (receiver = await startOtlpGrpcReceiver());
    const tp = new BasicTracerProvider({
      resource,
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporterGrpc({ url: rx.url, compression: 'gzip' as NonNullable<ConstructorParameters<typeof OTLPTraceExporterGrpc>[0]>['compression'] }))],
    });
    const mp = new MeterProvider({
      resource,
      readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporterGrpc({ url: rx.url }), exportIntervalMillis: 60_000 })],
    });
    const lp = new LoggerProvider({
      resource,
      processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporterGrpc({ url: rx.url }) })],
    });
    cleanups.push(() => tp.shutdown(), () => mp.shutdown(), () => lp.shutdown());

    const span = tp.getTracer('g').startSpan('grpc-span', { attributes: { 'k': 'v' } });
    span.end();
    mp.getMeter('g').createCounter('grpc.count').add(4);
    lp.getLogger('g').emit({ body: 'grpc log', severityNumber: SeverityNumber.ERROR });
    await Promise.all([tp.forceFlush(), mp.forceFlush(), lp.forceFlush()]);

    expect(rx.errors()).toEqual([]);
    expect(rx.findSpan('grpc-span')).toMatchObject({
      attributes: { k: 'v' },
      traceId: span.spanContext().traceId,
      resource: { 'service.name': 't' },
    });
    expect((await rx.waitForMetric('grpc.count')).dataPoints[0]!.value).toBe(4);
    expect((await rx.waitForLogs(1))[0]).toMatchObject({ body: 'grpc log', severityNumber: SeverityNumber.ERROR });
    expect(rx.requests).toEqual({ traces: 1, metrics: 1, logs: 1 });
    expect(rx.requestLog().find((r) => r.signal === 'traces')).toMatchObject({ encoding: 'grpc', compression: 'gzip', status: 0 });
  });

  it('fail mode answers a gRPC error status; hang mode still closes quickly', async () => {
    const rx = (receiver = await startOtlpGrpcReceiver({ mode: 'fail' }));
    const exporter = new OTLPTraceExporterGrpc({ url: rx.url, timeoutMillis: 1000 });
    cleanups.push(() => exporter.shutdown());
    const r1 = await exportOneSpan(exporter);
    expect(r1.code).toBe(ExportResultCode.FAILED);
    expect(String(r1.error)).toMatch(/UNAVAILABLE|14/);
    expect(rx.requestLog()[0]).toMatchObject({ status: 14, items: 1 });
    expect(rx.spans()).toEqual([]);

    rx.setMode('hang');
    const pending = exportOneSpan(exporter);
    await rx.waitFor(() => rx.requestLog().some((r) => r.status === 'hung'));
    const t0 = Date.now();
    await rx.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect((await pending).code).toBe(ExportResultCode.FAILED);
  });
});
