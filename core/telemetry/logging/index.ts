export { createLogger, type CreateLoggerOptions, type LogContext, type Logger, type LoggerStats, type RootLogger } from './logger';
export { otlpLogSink } from './otlp-log-sink';
export type { EmitOtlp, OtlpLogRecord } from './otlp-record';
export type { LogLevel, LogThreshold } from './log-levels';
export { parseLogThreshold } from './log-levels';
export type { LogLine, LogService } from './log-line';
export { logFilePath, logFileName } from './log-file-location';
export type { LogTrace, SpanContextLike } from './span-context';
export type { SinkName } from './sink-guard';
