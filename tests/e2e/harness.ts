/**
 * Processes the e2e tests need: the headless app (`node bin/agent-bruno.js serve`) as a child
 * process on a free loopback port, stopped by its PID. The fake Ollama runs in this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** A port nobody listens on right now (also what "Ollama is down" points at). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface AppOptions {
  ollamaUrl: string;
  chatModel?: string;
  /** Reuse a port / token / data dir (to restart "the same" server). */
  port?: number;
  token?: string;
  dataDir?: string;
  readyTimeoutMs?: number;
  /** Extra environment for the server (e.g. PROMETHEUS_URL). */
  env?: Record<string, string>;
}

export interface RunningApp {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** The URL the server printed, with `#token=...`. */
  url: string;
  port: number;
  token: string;
  dataDir: string;
  pid: number;
  output(): string;
  /** Stops the process (SIGTERM, then SIGKILL) and, unless kept, removes the data dir. */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export async function startApp(options: AppOptions): Promise<RunningApp> {
  const port = options.port ?? (await freePort());
  // The server wants at least 16 characters.
  const token = options.token ?? randomBytes(18).toString('base64url');
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'bruno-e2e-')));
  const child = spawn(process.execPath, ['bin/agent-bruno.js', 'serve'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      BRUNO_PORT: String(port),
      BRUNO_API_TOKEN: token,
      OLLAMA_HOST: options.ollamaUrl,
      BRUNO_DATA_DIR: dataDir,
      BRUNO_CHAT_MODEL: options.chatModel ?? 'llama3.1:8b',
      // Several servers run side by side in the suite: /metrics is not what these tests look at.
      BRUNO_METRICS_ADDR: '',
      // The e2e folders to ingest live under the temp folder, outside the default (home).
      BRUNO_KB_ALLOWED_ROOTS: tmpdir(),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));

  const printed = new RegExp(`http://127\\.0\\.0\\.1:${port}/#token=\\S+`);
  const url = await new Promise<string>((resolve, reject) => {
    const timeoutMs = options.readyTimeoutMs ?? 20_000;
    const timer = setTimeout(() => fail(new Error(`agent-bruno serve did not print its URL within ${timeoutMs} ms`)), timeoutMs);
    const onData = () => {
      const match = printed.exec(output);
      if (match) done(() => resolve(match[0]));
    };
    const onExit = (code: number | null, signal: string | null) =>
      fail(new Error(`agent-bruno serve exited early (code ${code}, signal ${signal})`));
    const fail = (err: Error) => done(() => reject(new Error(`${err.message}\n--- output ---\n${output}`)));
    function done(then: () => void) {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      then();
    }
    child.stdout!.on('data', onData);
    child.on('exit', onExit);
  }).catch(async (err: unknown) => {
    await kill(child);
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  });

  return {
    origin: `http://127.0.0.1:${port}`,
    url,
    port,
    token,
    dataDir,
    pid: child.pid!,
    output: () => output,
    async stop({ keepData = false } = {}) {
      await kill(child);
      if (!keepData && !options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Ends exactly this child, by PID: SIGTERM, then SIGKILL if it lingers. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid!, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
  }, 5_000);
  await exited;
  clearTimeout(timer);
}
