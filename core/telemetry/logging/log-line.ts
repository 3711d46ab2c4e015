import type { LogTrace } from './span-context';

/** `service` of every line (observability guide 1.2); the same values as the OTel resource. */
export interface LogService {
  name: string;
  version: string;
  environment: string;
  instance_id: string;
}

/**
 * One line of the log file, the seed's structured format. `trace` only when the line was logged
 * with, or inside, a valid span.
 */
export interface LogLine {
  level: string;
  timestamp: string;
  logger: string;
  message: string;
  context: Record<string, unknown>;
  trace?: LogTrace;
  service: LogService;
}

export const rootLoggerName = 'agent_bruno';

/** `agent_bruno.<name>`; a child of a child appends (`agent_bruno.rag.store`). */
export function childLoggerName(parent: string, name: string): string {
  const trimmed = name.trim().replace(/^agent_bruno\./, '');
  return trimmed && trimmed !== rootLoggerName ? `${parent}.${trimmed}` : parent;
}
