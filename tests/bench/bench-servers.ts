/**
 * The servers a benchmark talks to: the fake Ollama and two OTLP receivers (one answering, one
 * that accepts connections and never answers). They can run in this process or in a child
 * process. The child is the default for timing: on a small machine the fake's own work (building
 * and writing 2,000 NDJSON lines a request) and the receiver's protobuf decoding would otherwise
 * share the event loop with the client being measured, which blurs the client's cost.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeOllama } from '../fake-ollama';
import { startOtlpReceiver } from '../support/otlp-receiver';

export interface ServerOptions {
  replyTokens: number;
}

/** What the receivers got so far. */
export interface CollectorCounts {
  ok: { requests: Record<string, number>; spans: number; logs: number; metrics: number; errors: number };
  hang: { requests: Record<string, number> };
}

export interface BenchServers {
  readonly where: 'inproc' | 'child';
  readonly ollamaUrl: string;
  readonly okCollectorUrl: string;
  readonly hangCollectorUrl: string;
  counts(): Promise<CollectorCounts>;
  close(): Promise<void>;
}

/** Starts the three servers in this process. */
export async function startServersHere(options: ServerOptions): Promise<BenchServers> {
  const fake = await startFakeOllama({ tokensPerSecond: 0, replyTokens: options.replyTokens, requestLogLimit: 16 });
  const ok = await startOtlpReceiver({ mode: 'ok' });
  const hang = await startOtlpReceiver({ mode: 'hang' });
  return {
    where: 'inproc',
    ollamaUrl: fake.url,
    okCollectorUrl: ok.url,
    hangCollectorUrl: hang.url,
    async counts() {
      return {
        ok: { requests: { ...ok.requests }, spans: ok.spans().length, logs: ok.logs().length, metrics: ok.metrics().length, errors: ok.errors().length },
        hang: { requests: { ...hang.requests } },
      };
    },
    async close() {
      await Promise.allSettled([fake.close(), ok.close(), hang.close()]);
    },
  };
}

/** Messages between the benchmark and the child (see bench-servers-child.ts). */
export type ToChild = { type: 'counts'; id: number } | { type: 'close' };
export type FromChild =
  | { type: 'ready'; ollamaUrl: string; okCollectorUrl: string; hangCollectorUrl: string }
  | { type: 'counts'; id: number; counts: CollectorCounts }
  | { type: 'failed'; message: string };

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');

/**
 * Starts the same servers in a child Node process: the built child next to a built benchmark
 * (tests/bench/run-built.ts), else the TypeScript source through tsx's loader.
 */
export async function startServersInChild(options: ServerOptions): Promise<BenchServers> {
  const builtChild = join(here, 'bench-servers-child.mjs');
  const [script, execArgv] = existsSync(builtChild) ? [builtChild, []] : [join(here, 'bench-servers-child.ts'), ['--import', 'tsx']];
  const child: ChildProcess = fork(script, [String(options.replyTokens)], { cwd: repoRoot, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<Extract<FromChild, { type: 'ready' }>>((resolve, reject) => {
    const onMessage = (message: FromChild) => {
      if (message.type === 'ready') resolve(message);
      else if (message.type === 'failed') reject(new Error(`bench servers: ${message.message}`));
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`bench servers exited early (code ${code})`)));
    child.once('error', reject);
  });

  let nextId = 0;
  const waiting = new Map<number, (counts: CollectorCounts) => void>();
  child.on('message', (message: FromChild) => {
    if (message.type !== 'counts') return;
    waiting.get(message.id)?.(message.counts);
    waiting.delete(message.id);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return {
    where: 'child',
    ollamaUrl: ready.ollamaUrl,
    okCollectorUrl: ready.okCollectorUrl,
    hangCollectorUrl: ready.hangCollectorUrl,
    counts() {
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        child.send({ type: 'counts', id } satisfies ToChild);
      });
    },
    async close() {
      if (child.exitCode === null && child.connected) child.send({ type: 'close' } satisfies ToChild);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
