import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

export interface ToolResult {
  status: number | null;
  output: string;
}

const packageOf: Record<string, string> = {
  promtool: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  prometheus: 'prometheus',
};

/** The message a missing Prometheus/Alertmanager tool fails with (never a silent skip). */
export function missingToolMessage(command: string): string {
  return `${command} is not installed: install prometheus / prometheus-alertmanager (apt-get install ${packageOf[command] ?? 'prometheus prometheus-alertmanager'})`;
}

/** Runs a Prometheus/Alertmanager CLI; a missing binary throws with the apt-get hint. */
export function runTool(command: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): ToolResult {
  const result = spawnSync(command, args, { cwd: options.cwd, encoding: 'utf8', timeout: options.timeoutMs ?? 20_000 });
  if (result.error) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(missingToolMessage(command));
    throw result.error;
  }
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** A port nothing listens on right now (bind to 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
