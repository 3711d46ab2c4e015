/**
 * The test OTLP receiver's decoding, driven by the real OpenTelemetry JS SDK exporters
 * (http/protobuf): the protobuf wire reader, and traces, metrics and logs as the SDK sends them
 * coming back out of the receiver's decoder intact.
 */
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, ValueType, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { readMessage, getUint64, getInt64, getSint, getString, getRepeatedDouble } from '../support/otlp-receiver/protobuf-wire';
import { HEX16, HEX32, resource, receiverScope } from '../support/otlp-receiver/sdk-harness';

const { cleanups, start } = receiverScope();

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
});
