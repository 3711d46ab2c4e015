import { hostname } from 'node:os';
import pino, { type Logger as PinoLogger } from 'pino';
import { createPiiRedactor, type PiiRedactor } from '../../pii';
import { logFilePath } from './log-file-location';
import { childLoggerName, rootLoggerName, type LogService } from './log-line';
import { levelText, levelValue, severityNumber, type LogLevel, type LogThreshold } from './log-levels';
import type { EmitOtlp } from './otlp-record';
import { openRotatingFile, type RotatingFile } from './rotating-file';
import { createSinkGuard, oneLine, type SinkName } from './sink-guard';
import { activeOtelSpanContext, toLogTrace, type LogTrace, type SpanContextLike } from './span-context';
import { formatStderrLine } from './stderr-line';

export type LogContext = Record<string, unknown>;

export interface Logger {
  debug(message: string, context?: LogContext, span?: SpanContextLike): void;
  info(message: string, context?: LogContext, span?: SpanContextLike): void;
  warn(message: string, context?: LogContext, span?: SpanContextLike): void;
  error(message: string, context?: LogContext, span?: SpanContextLike): void;
  /**
   * `child({ logger: 'rag' })` logs as `agent_bruno.rag`. `everyLevel`: the child's lines pass
   * whatever the level setting says (audit lines: an operator who raises the level to `error` to
   * quiet the log must not lose the record of refused requests); only `silent` stops them.
   */
  child(bindings: { logger: string; everyLevel?: boolean }): Logger;
  /** Lets a caller skip building an expensive context for a line that would be dropped. */
  isLevelEnabled(level: LogLevel): boolean;
}

export interface LoggerStats {
  level: LogThreshold;
  /** Null when there is no file: none asked for, or it could not be opened (see fileProblem). */
  filePath: string | null;
  fileProblem: string | null;
  dropped: Record<SinkName, number>;
}

/** The logger `createLogger` returns: the only one that owns the file. */
export interface RootLogger extends Logger {
  flush(): void;
  close(): Promise<void>;
  stats(): LoggerStats;
}

export interface CreateLoggerOptions {
  service: { name: string; version: string; environment: string; instanceId?: string };
  /** From settings (telemetry.logLevel, which BRUNO_LOG_LEVEL sets: config reads the environment); default info. */
  level?: LogThreshold;
  /** Lines go to `<dataDir>/logs/agent-bruno.log` unless `file` is false. */
  dataDir?: string;
  file?: false | { maxBytes?: number; maxFiles?: number };
  /** For the CLI: a short human line on stderr, warn and above unless told otherwise. */
  stderr?: boolean | { level?: LogLevel; write?: (line: string) => void };
  /** Called with every line that passes the level (e.g. `otlpLogSink(provider.getLogger(...))`). */
  emitOtlp?: EmitOtlp;
  /** Default: the built-in rules only; pass one built with the settings' custom patterns. */
  redactor?: PiiRedactor;
  /** Default: the span active in the OpenTelemetry context. */
  activeSpanContext?: () => SpanContextLike | undefined;
  /** Where the logger says, in one line, that it cannot do something. Default: stderr. */
  report?: (line: string) => void;
  /** Each lost line, e.g. to count `bruno_telemetry_dropped_total{signal="logs"}`. */
  onDrop?: (sink: SinkName, err: unknown) => void;
  /** Epoch ms; injectable for tests. */
  now?: () => number;
}

const defaultMaxBytes = 10 * 1024 * 1024;
const defaultMaxFiles = 5;

function reportToStderr(line: string): void {
  try {
    process.stderr.write(`${line}\n`);
  } catch {
    // Nowhere left to say it.
  }
}

/** What every logger of one tree shares: the sinks, the redactor, the counters. */
interface LoggerCore {
  threshold: number;
  pinoRoot: PinoLogger;
  write(level: LogLevel, name: string, pinoLogger: PinoLogger, message: string, context?: LogContext, span?: SpanContextLike): void;
}

export function createLogger(options: CreateLoggerOptions): RootLogger {
  const report = options.report ?? reportToStderr;
  const level = options.level ?? 'info';
  const redactor = options.redactor ?? createPiiRedactor();
  const now = options.now ?? Date.now;
  const activeSpan = options.activeSpanContext ?? activeOtelSpanContext;
  const guard = createSinkGuard(report, options.onDrop);
  const emitOtlp = options.emitOtlp;
  const service: LogService = {
    name: options.service.name,
    version: options.service.version,
    environment: options.service.environment,
    instance_id: options.service.instanceId ?? `${hostname()}-${process.pid}`,
  };

  let fileProblem: string | null = null;
  let file: RotatingFile | null = null;
  if (options.dataDir && options.file !== false) {
    const path = logFilePath(options.dataDir);
    try {
      file = openRotatingFile({
        path,
        maxBytes: options.file?.maxBytes ?? defaultMaxBytes,
        maxFiles: options.file?.maxFiles ?? defaultMaxFiles,
        onRotateError: (err) => report(`agent-bruno: could not rotate the log file ${path} (${oneLine(err)}); writing on`),
      });
    } catch (err) {
      fileProblem = `agent-bruno: cannot write the log file ${path} (${oneLine(err)}); logging to a file is off`;
      report(fileProblem);
    }
  }

  const stderrOption = options.stderr === true ? {} : options.stderr || null;
  const stderrThreshold = levelValue[stderrOption?.level ?? 'warn'];
  const writeStderr = stderrOption?.write ?? ((line: string) => void process.stderr.write(line));

  // pino reads the time through `timestamp` while it writes, synchronously, inside our call: the
  // line and the OTLP record then carry the same instant.
  let lineTime = 0;
  const pinoRoot = pino(
    {
      // The level is checked before pino is called (makeLogger); pino lets all through, so an
      // every-level child (audit) is not dropped by pino's own filter.
      level: 'debug',
      base: null,
      messageKey: 'message',
      timestamp: () => `,"timestamp":"${new Date(lineTime).toISOString()}"`,
      formatters: { level: (label) => ({ level: label.toUpperCase() }) },
    },
    { write: (line: string) => file?.write(line) },
  );

  let closed = false;
  let emittingOtlp = false;

  function currentSpan(given: SpanContextLike | undefined): LogTrace | undefined {
    const fromGiven = toLogTrace(given);
    if (fromGiven) return fromGiven;
    try {
      return toLogTrace(activeSpan());
    } catch {
      return undefined;
    }
  }

  const core: LoggerCore = {
    threshold: levelValue[level],
    pinoRoot,
    write(lineLevel, name, pinoLogger, message, context, span) {
      let text: string;
      let redactedContext: LogContext;
      try {
        text = redactor.redact(typeof message === 'string' ? message : String(message));
        redactedContext = toContext(context === undefined ? undefined : redactor.redactValue(context));
      } catch (err) {
        // Unredacted text must not leave; the line is lost instead.
        guard.fail('redaction', err);
        return;
      }
      const time = now();
      const trace = currentSpan(span);

      if (file && !closed) {
        guard.run('file', () => {
          lineTime = time;
          pinoLogger[lineLevel]({ message: text, context: redactedContext, ...(trace ? { trace } : {}), service });
        });
      }
      if (stderrOption && levelValue[lineLevel] >= stderrThreshold) {
        guard.run('stderr', () => writeStderr(formatStderrLine(levelText[lineLevel], name, text, redactedContext)));
      }
      // An exporter that logs while exporting would otherwise call itself forever.
      if (emitOtlp && !emittingOtlp) {
        emittingOtlp = true;
        guard.run('otlp', () =>
          emitOtlp({
            timestamp: time,
            severityNumber: severityNumber[lineLevel],
            severityText: levelText[lineLevel],
            body: text,
            attributes: { ...redactedContext, 'logger.name': name },
            ...(trace ? { traceId: trace.trace_id, spanId: trace.span_id, traceFlags: parseInt(trace.trace_flags, 16) } : {}),
          }),
        );
        emittingOtlp = false;
      }
    },
  };

  const root = makeLogger(core, rootLoggerName, pinoRoot.child({ logger: rootLoggerName }), false);
  return {
    ...root,
    // Lines are written synchronously; nothing waits in a buffer. Kept so callers need not know.
    flush() {},
    async close() {
      closed = true;
      file?.close();
    },
    stats: () => ({ level, filePath: file?.path ?? null, fileProblem, dropped: guard.dropped() }),
  };
}

function makeLogger(core: LoggerCore, name: string, pinoLogger: PinoLogger, everyLevel: boolean): Logger {
  const passes = (value: number) => (everyLevel ? core.threshold !== Infinity : value >= core.threshold);
  function at(level: LogLevel) {
    const value = levelValue[level];
    return (message: string, context?: LogContext, span?: SpanContextLike): void => {
      if (!passes(value)) return;
      core.write(level, name, pinoLogger, message, context, span);
    };
  }
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child(bindings) {
      const childName = childLoggerName(name, bindings.logger);
      return makeLogger(core, childName, core.pinoRoot.child({ logger: childName }), everyLevel || bindings.everyLevel === true);
    },
    isLevelEnabled: (level) => passes(levelValue[level]),
  };
}

/** The redacted context is plain data; anything but an object (an Error, a string) is wrapped. */
function toContext(value: unknown): LogContext {
  if (value === undefined || value === null) return {};
  if (typeof value === 'object' && !Array.isArray(value)) return value as LogContext;
  return { value };
}
