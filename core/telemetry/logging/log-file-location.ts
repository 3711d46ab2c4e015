import { join } from 'node:path';

export const logFileName = 'agent-bruno.log';

/** `<dataDir>/logs/agent-bruno.log`, next to settings and the knowledge base. */
export function logFilePath(dataDir: string): string {
  return join(dataDir, 'logs', logFileName);
}
