import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPiiRedactor } from '../../core/pii';
import { createLogger, logFilePath, type CreateLoggerOptions, type LogLine } from '../../core/telemetry/logging';

const service = { name: 'agent-bruno', version: '1.2.3', environment: 'test', instanceId: 'desk-1' };
const span = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
const fixedTime = Date.parse('2025-10-22T14:32:15.123Z');
const dirs: string[] = [];

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bruno-logger-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A logger writing to a fresh data dir; `lines()` closes it and parses what it wrote. */
function fileLogger(options: Partial<CreateLoggerOptions> = {}) {
  const dataDir = tempDataDir();
  const reports: string[] = [];
  const logger = createLogger({
    service,
    dataDir,
    now: () => fixedTime,
    activeSpanContext: () => undefined,
    report: (line) => reports.push(line),
    ...options,
  });
  return {
    logger,
    reports,
    async lines(): Promise<LogLine[]> {
      await logger.close();
      const text = readFileSync(logFilePath(dataDir), 'utf8');
      return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine);
    },
  };
}

describe('log line shape (observability guide 1.2)', () => {
  it('writes the seed JSON structure, one line per call', async () => {
    const { logger, lines } = fileLogger();
    logger.child({ logger: 'api' }).info(
      'API request processed',
      { request_id: 'req_7f8a9b0c', endpoint: '/api/v1/query', status_code: 200, latency_ms: 1234 },
      span,
    );
    const [line, ...rest] = await lines();
    expect(rest).toHaveLength(0);
    expect(line).toEqual({
      timestamp: '2025-10-22T14:32:15.123Z',
      level: 'INFO',
      logger: 'agent_bruno.api',
      message: 'API request processed',
      context: { request_id: 'req_7f8a9b0c', endpoint: '/api/v1/query', status_code: 200, latency_ms: 1234 },
      trace: { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', trace_flags: '01' },
      service: { name: 'agent-bruno', version: '1.2.3', environment: 'test', instance_id: 'desk-1' },
    });
    expect(Object.keys(line!)).toEqual(['level', 'timestamp', 'logger', 'message', 'context', 'trace', 'service']);
  });

  it('names levels DEBUG, INFO, WARN, ERROR and always has a context', async () => {
    const { logger, lines } = fileLogger({ level: 'debug' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    const parsed = await lines();
    expect(parsed.map((l) => l.level)).toEqual(['DEBUG', 'INFO', 'WARN', 'ERROR']);
    expect(parsed.every((l) => JSON.stringify(l.context) === '{}')).toBe(true);
    expect(parsed.every((l) => l.logger === 'agent_bruno')).toBe(true);
  });

  it('names children under agent_bruno, nesting', async () => {
    const { logger, lines } = fileLogger();
    const rag = logger.child({ logger: 'rag' });
    rag.info('a');
    rag.child({ logger: 'store' }).info('b');
    logger.child({ logger: 'agent_bruno.llm' }).info('c');
    expect((await lines()).map((l) => l.logger)).toEqual(['agent_bruno.rag', 'agent_bruno.rag.store', 'agent_bruno.llm']);
  });
});

describe('trace context', () => {
  it('is included when a span context is given and left out otherwise', async () => {
    const { logger, lines } = fileLogger();
    logger.info('with span', {}, { ...span, traceFlags: 0 });
    logger.info('without span');
    const [withSpan, withoutSpan] = await lines();
    expect(withSpan!.trace).toEqual({ trace_id: span.traceId, span_id: span.spanId, trace_flags: '00' });
    expect(withoutSpan).not.toHaveProperty('trace');
  });

  it('comes from the active span when none is given', async () => {
    const { logger, lines } = fileLogger({ activeSpanContext: () => span });
    logger.info('inside a span');
    expect((await lines())[0]!.trace?.trace_id).toBe(span.traceId);
  });

  it('skips an invalid span context (all zeros) instead of writing a dead link', async () => {
    const { logger, lines } = fileLogger();
    logger.info('zero', {}, { traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 });
    expect((await lines())[0]).not.toHaveProperty('trace');
  });
});

describe('PII in log lines', () => {
  it('is redacted in the message and in nested context before it is written', async () => {
    const { logger, lines } = fileLogger();
    logger.info('User registered: bob@example.com, card 4111 1111 1111 1111', {
      user: { email: 'bob@example.com', phones: ['+49 30 1234567'], ssn: '123-45-6789' },
      password: 'correcthorsebatterystaple',
      headers: { authorization: 'Bearer abcdefghijklmnopqrstuvwxyz' },
      error: new Error('login failed for bob@example.com'),
      input_tokens: 34,
    });
    const [line] = await lines();
    expect(line!.message).toBe('User registered: [EMAIL], card [CARD]');
    expect(line!.context).toEqual({
      user: { email: '[EMAIL]', phones: ['[PHONE]'], ssn: '[SSN]' },
      password: 'correcth****',
      headers: { authorization: 'Bearer abcdefgh****' },
      error: { name: 'Error', message: 'login failed for [EMAIL]' },
      input_tokens: 34,
    });
  });

  it('uses the redactor it is given (custom patterns from settings)', async () => {
    const redactor = createPiiRedactor({ customPatterns: [{ name: 'employee_id', pattern: 'EMP-\\d{6}' }] });
    const { logger, lines } = fileLogger({ redactor });
    logger.info('badge EMP-123456', { who: 'EMP-654321' });
    const [line] = await lines();
    expect(line!.message).toBe('badge [EMPLOYEE_ID]');
    expect(line!.context).toEqual({ who: '[EMPLOYEE_ID]' });
  });

  it('drops (and counts) a line whose context cannot be read, rather than throw or leak it', async () => {
    const { logger, lines, reports } = fileLogger();
    const hostile = {
      get boom(): string {
        throw new Error('getter exploded');
      },
    };
    expect(() => logger.info('x', hostile)).not.toThrow();
    logger.info('next line still fine');
    expect(logger.stats().dropped.redaction).toBe(1);
    expect(reports.some((r) => r.includes('redaction') && r.includes('getter exploded'))).toBe(true);
    expect((await lines()).map((l) => l.message)).toEqual(['next line still fine']);
  });
});

describe('levels', () => {
  it('defaults to info', async () => {
    const { logger, lines } = fileLogger();
    logger.debug('hidden');
    logger.info('shown');
    expect(logger.isLevelEnabled('debug')).toBe(false);
    expect((await lines()).map((l) => l.message)).toEqual(['shown']);
  });

  it('filters below the configured level', async () => {
    const { logger, lines } = fileLogger({ level: 'warn' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.child({ logger: 'x' }).info('child i');
    logger.child({ logger: 'x' }).error('child e');
    expect((await lines()).map((l) => l.message)).toEqual(['w', 'child e']);
  });

  it('silent writes nothing', async () => {
    const { logger, lines } = fileLogger({ level: 'silent' });
    logger.error('e');
    expect(await lines()).toEqual([]);
  });
});

describe('stderr for the CLI', () => {
  it('gets a short human line for warn and above only', async () => {
    const written: string[] = [];
    const { logger } = fileLogger({ file: false, stderr: { write: (line) => written.push(line) } });
    const llm = logger.child({ logger: 'llm' });
    llm.info('quiet');
    llm.warn('High LLM latency for bob@example.com', { latency_ms: 5234 });
    llm.error('Ollama unreachable');
    expect(written).toEqual([
      'WARN agent_bruno.llm: High LLM latency for [EMAIL] {"latency_ms":5234}\n',
      'ERROR agent_bruno.llm: Ollama unreachable\n',
    ]);
    await logger.close();
  });

  it('a broken stderr is counted, never thrown', async () => {
    const { logger, lines } = fileLogger({
      stderr: {
        write: () => {
          throw new Error('EPIPE');
        },
      },
    });
    expect(() => logger.error('e')).not.toThrow();
    expect(logger.stats().dropped.stderr).toBe(1);
    expect((await lines()).map((l) => l.message)).toEqual(['e']);
  });
});
