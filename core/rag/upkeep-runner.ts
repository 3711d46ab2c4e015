/**
 * Where a knowledge base's optimizes and index builds run. In the serving process they held
 * LanceDB's process-wide CPU pool (first come, first served) and both CPUs for seconds, and 0.31
 * cannot pause, cancel or lower one once it runs; so a long-running host gives the knowledge base
 * a port that starts the upkeep worker (upkeep-worker.ts), a child process at the lowest priority
 * with a pool of its own. Lance commits from two processes on one store are safe: appends and
 * compaction or index commits do not conflict, and deletes still wait for a running optimize
 * (kb-upkeep.ts `optimizing`), wherever it runs. A worker that cannot start or dies hands its job
 * to this process (a warning, nothing lost); after `maxWorkerFailures` the process keeps it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import type { Table } from '@lancedb/lancedb';
import { BrunoError } from '../common/errors';
import type { Logger } from '../telemetry/logging';
import { loadLance } from './store';
import { runUpkeepJob, type FromUpkeepWorker, type ToUpkeepWorker, type UpkeepJob } from './upkeep-protocol';

/** Starts one upkeep worker: a Node child process with an IPC channel, running upkeep-worker.ts. */
export type SpawnUpkeepWorker = () => ChildProcess;

export interface UpkeepRunner {
  /** Whether jobs run in another process at low priority now (then they need not wait for quiet). */
  readonly isolated: boolean;
  run(table: Table, job: UpkeepJob): Promise<void>;
  /** Ends the worker; a job it was running rejects (cancelled), nothing waits for it. */
  close(): void;
}

export const maxWorkerFailures = 3;

export interface ForkUpkeepWorkerOptions {
  /** The worker entry: out/main/upkeep-worker.js when built, core/rag/upkeep-worker.ts under tsx. */
  entry: string;
  /** Default process.execPath (Electron's binary, run as Node through `env`). */
  execPath?: string;
  /** e.g. ['--import', 'tsx'] for the TypeScript entry. */
  execArgv?: string[];
  /** Electron: `{ ...process.env, ELECTRON_RUN_AS_NODE: '1' }`. */
  env?: NodeJS.ProcessEnv;
}

export function forkUpkeepWorker(options: ForkUpkeepWorkerOptions): SpawnUpkeepWorker {
  return () => {
    // stdout is ignored: under `agent-bruno mcp` it is the protocol's.
    const child = fork(options.entry, [], { execPath: options.execPath ?? process.execPath, execArgv: options.execArgv ?? [], env: options.env ?? process.env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    // The worker lowers itself before LanceDB starts its threads; this covers what ran before that.
    try {
      if (child.pid) setPriority(child.pid, 19);
    } catch {
      // the worker's own call is what matters
    }
    return child;
  };
}

/** Jobs on this process's table handles (no port given, or the worker could not do them). */
export function inProcessUpkeep(): UpkeepRunner {
  return {
    isolated: false,
    async run(table, job) {
      await runUpkeepJob(await loadLance(), table, job);
    },
    close() {},
  };
}

/** The worker is gone (did not start, crashed, was killed): the job can run here instead. */
class WorkerGone extends Error {}

export function workerUpkeep(options: { spawn: SpawnUpkeepWorker; storeUri: string; log: Logger }): UpkeepRunner {
  const { spawn, storeUri, log } = options;
  const local = inProcessUpkeep();
  let worker: Promise<ChildProcess> | null = null;
  let current: ChildProcess | null = null;
  const pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  let nextId = 1;
  let failures = 0;
  let closed = false;

  /** Held only while a job runs: an idle worker must not keep a CLI process alive. */
  const hold = (child: ChildProcess, on: boolean) => {
    const channel = child.channel as { ref?: () => void; unref?: () => void } | null | undefined;
    if (on) {
      child.ref();
      channel?.ref?.();
    } else {
      child.unref();
      channel?.unref?.();
    }
  };

  function start(): Promise<ChildProcess> {
    worker ??= new Promise<ChildProcess>((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn();
      } catch (err) {
        reject(new WorkerGone(err instanceof Error ? err.message : String(err)));
        return;
      }
      current = child;
      let ready = false;
      const gone = (why: string) => {
        if (current === child) {
          current = null;
          worker = null;
        }
        const err = new WorkerGone(why);
        if (!ready) reject(err);
        for (const p of pending.values()) p.reject(err);
        pending.clear();
      };
      child.on('message', (message: FromUpkeepWorker) => {
        if (message.type === 'ready') {
          ready = true;
          log.info('upkeep worker started', { pid: message.pid });
          resolve(child);
          return;
        }
        const job = pending.get(message.id);
        if (!job) return;
        pending.delete(message.id);
        if (pending.size === 0) hold(child, false);
        if (message.type === 'done') job.resolve();
        else job.reject(new Error(message.message));
      });
      child.once('error', (err) => gone(err.message));
      child.once('exit', (code, signal) => gone(`exited (${signal ?? `code ${String(code)}`})`));
    });
    return worker;
  }

  async function viaWorker(table: Table, job: UpkeepJob): Promise<void> {
    const child = await start();
    if (!child.connected) throw new WorkerGone('its channel is closed');
    const id = nextId++;
    const message: ToUpkeepWorker = { type: 'job', id, uri: storeUri, table: table.name, job };
    const done = new Promise<void>((resolve, reject) => pending.set(id, { resolve, reject }));
    hold(child, true);
    child.send(message, (err) => {
      if (err) pending.get(id)?.reject(new WorkerGone(err.message));
    });
    await done;
    // The worker committed a version this process's handle may not have re-read yet
    // (readConsistencyInterval 1 s): the index and compacted fragments serve the next search.
    await table.checkoutLatest();
  }

  return {
    get isolated() {
      return !closed && failures < maxWorkerFailures;
    },
    async run(table, job) {
      if (closed) throw new BrunoError('cancelled', 'The knowledge base is closed');
      if (failures < maxWorkerFailures) {
        try {
          return await viaWorker(table, job);
        } catch (err) {
          if (!(err instanceof WorkerGone)) throw err;
          if (closed) throw new BrunoError('cancelled', 'The knowledge base is closed');
          failures++;
          log.warn('upkeep worker unavailable: running the job in this process', { op: job.op, error: err.message, failures, ...(failures >= maxWorkerFailures ? { from_now_on: 'in this process' } : {}) });
        }
      }
      await local.run(table, job);
    },
    close() {
      closed = true;
      const child = current;
      current = null;
      worker = null;
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
