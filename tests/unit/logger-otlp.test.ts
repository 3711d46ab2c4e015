import { SeverityNumber } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { createLogger, otlpLogSink, type OtlpLogRecord } from '../../core/telemetry/logging';

const service = { name: 'agent-bruno', version: '1.2.3', environment: 'test', instanceId: 'desk-1' };
const span = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
const fixedTime = Date.parse('2025-10-22T14:32:15.123Z');

function otlpOnlyLogger(emitOtlp: (record: OtlpLogRecord) => void, reports: string[] = []) {
  return createLogger({
    service,
    level: 'debug',
    now: () => fixedTime,
    activeSpanContext: () => undefined,
    report: (line) => reports.push(line),
    emitOtlp,
  });
}

describe('OTLP sink', () => {
  it('receives severity, redacted body, attributes and trace ids', () => {
    const records: OtlpLogRecord[] = [];
    const logger = otlpOnlyLogger((r) => records.push(r));
    const rag = logger.child({ logger: 'rag' });
    rag.debug('d');
    rag.info('query from bob@example.com', { retrieved_docs: 5, user: { phone: '555-123-4567' } }, span);
    rag.warn('w');
    rag.error('e');

    expect(records.map((r) => [r.severityNumber, r.severityText])).toEqual([
      [SeverityNumber.DEBUG, 'DEBUG'],
      [SeverityNumber.INFO, 'INFO'],
      [SeverityNumber.WARN, 'WARN'],
      [SeverityNumber.ERROR, 'ERROR'],
    ]);
    expect(records[1]).toEqual({
      timestamp: fixedTime,
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body: 'query from [EMAIL]',
      attributes: { retrieved_docs: 5, user: { phone: '[PHONE]' }, 'logger.name': 'agent_bruno.rag' },
      traceId: span.traceId,
      spanId: span.spanId,
      traceFlags: 1,
    });
    expect(records[0]).not.toHaveProperty('traceId');
  });

  it('only gets lines that pass the level', () => {
    const records: OtlpLogRecord[] = [];
    const logger = createLogger({ service, level: 'warn', report: () => {}, emitOtlp: (r) => records.push(r) });
    logger.info('i');
    logger.warn('w');
    expect(records.map((r) => r.body)).toEqual(['w']);
  });

  it('a failing sink is counted and reported once, never thrown into the caller', () => {
    const reports: string[] = [];
    const drops: string[] = [];
    const logger = createLogger({
      service,
      report: (line) => reports.push(line),
      onDrop: (sink) => drops.push(sink),
      emitOtlp: () => {
        throw new Error('collector down');
      },
    });
    expect(() => {
      logger.info('a');
      logger.info('b');
      logger.info('c');
    }).not.toThrow();
    expect(logger.stats().dropped.otlp).toBe(3);
    expect(drops).toEqual(['otlp', 'otlp', 'otlp']);
    expect(reports).toEqual(['agent-bruno: a log line was lost at "otlp" (collector down); further losses there are only counted']);
  });

  it('does not recurse when the sink itself logs', () => {
    const bodies: string[] = [];
    const logger: ReturnType<typeof otlpOnlyLogger> = otlpOnlyLogger((r) => {
      bodies.push(r.body);
      logger.warn('exporter says something');
    });
    logger.info('outer');
    expect(bodies).toEqual(['outer']);
  });
});

describe('otlpLogSink with the OpenTelemetry SDK', () => {
  it('exports records carrying the span context, severity, body and attributes', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    const logger = otlpOnlyLogger(otlpLogSink(provider.getLogger('agent-bruno', '1.2.3')));

    logger.child({ logger: 'llm' }).warn('High LLM latency for bob@example.com', { latency_ms: 5234 }, span);
    logger.info('no span here');
    await provider.forceFlush();

    const [withSpan, withoutSpan] = exporter.getFinishedLogRecords();
    expect(withSpan!.spanContext).toMatchObject({ traceId: span.traceId, spanId: span.spanId, traceFlags: 1 });
    expect(withSpan!.severityNumber).toBe(SeverityNumber.WARN);
    expect(withSpan!.severityText).toBe('WARN');
    expect(withSpan!.body).toBe('High LLM latency for [EMAIL]');
    expect(withSpan!.attributes).toEqual({ latency_ms: 5234, 'logger.name': 'agent_bruno.llm' });
    expect(withSpan!.hrTime).toEqual([Math.floor(fixedTime / 1000), (fixedTime % 1000) * 1e6]);
    expect(withSpan!.instrumentationScope.name).toBe('agent-bruno');
    expect(withoutSpan!.spanContext).toBeUndefined();
    await provider.shutdown();
  });
});
