import { spawn, type ChildProcess } from 'node:child_process';
import { missingToolMessage } from '../ops/tools';

export interface Daemon {
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * Starts a server binary (Prometheus, Alertmanager) and waits until `readyUrl` answers 200.
 * A missing binary fails with the apt-get hint; stop() ends it by PID.
 */
export async function startDaemon(command: string, args: string[], readyUrl: string, timeoutMs = 15_000): Promise<Daemon> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const failed = new Promise<never>((_, reject) => child.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new Error(missingToolMessage(command)) : err)));
  const ready = (async () => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${command} exited (${child.exitCode}):\n${output}`);
      try {
        if ((await fetch(readyUrl)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${command} was not ready within ${timeoutMs} ms:\n${output}`);
  })();
  await Promise.race([ready, failed]);
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Polls until `probe` returns something truthy; the last value seen is in the timeout message. */
export async function eventually<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}
