/**
 * The test OTLP receiver's transports and modes, driven by the real OpenTelemetry JS SDK
 * exporters: fail and hang modes, gzip, OTLP/JSON and content types over http, and the gRPC
 * receiver.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as OTLPTraceExporterGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPMetricExporter as OTLPMetricExporterGrpc } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPLogExporter as OTLPLogExporterGrpc } from '@opentelemetry/exporter-logs-otlp-grpc';
import { startOtlpGrpcReceiver } from '../support/otlp-receiver/grpc';
import { exportOneSpan, resource, receiverScope } from '../support/otlp-receiver/sdk-harness';

type TraceExporterConfig = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>;

const { adopt, cleanups, start } = receiverScope();

describe('OTLP receiver modes and encodings with the real SDK exporters (http)', () => {
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
    const rx = adopt(await startOtlpGrpcReceiver());
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
    const rx = adopt(await startOtlpGrpcReceiver({ mode: 'fail' }));
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
