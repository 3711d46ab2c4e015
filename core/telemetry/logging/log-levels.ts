import { SeverityNumber } from '@opentelemetry/api-logs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** What a logger lets through; `silent` turns it off. */
export type LogThreshold = LogLevel | 'silent';

export const logThresholds: readonly LogThreshold[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** Pino's numbers, so our filter and pino's agree. */
export const levelValue: Record<LogThreshold, number> = {
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  silent: Infinity,
};

/** The line's `level` and the OTLP severityText: the OpenTelemetry short names. */
export const levelText: Record<LogLevel, string> = {
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
};

export const severityNumber: Record<LogLevel, SeverityNumber> = {
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
};

/** Accepts any case and Python's `warning`, which people used to the seed will type. */
export function parseLogThreshold(raw: string | undefined): LogThreshold | undefined {
  if (raw === undefined) return undefined;
  const name = raw.trim().toLowerCase();
  if (name === 'warning') return 'warn';
  return (logThresholds as readonly string[]).includes(name) ? (name as LogThreshold) : undefined;
}
