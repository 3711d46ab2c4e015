import { parseLogThreshold, type LogThreshold } from './log-levels';

/**
 * The caller's explicit level (settings, a CLI flag), else `BRUNO_LOG_LEVEL`, else info.
 * A misspelt variable is said once, not silently ignored, and does not stop the app.
 */
export function resolveLogLevel(
  explicit: LogThreshold | undefined,
  env: Record<string, string | undefined>,
  report: (line: string) => void,
): LogThreshold {
  if (explicit) return explicit;
  const raw = env.BRUNO_LOG_LEVEL;
  if (raw === undefined || raw.trim() === '') return 'info';
  const parsed = parseLogThreshold(raw);
  if (!parsed) report(`agent-bruno: BRUNO_LOG_LEVEL="${raw}" is not one of debug, info, warn, error, silent; using info`);
  return parsed ?? 'info';
}
