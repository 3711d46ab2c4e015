/**
 * The upkeep worker: a child process (plain Node; Electron forks it with ELECTRON_RUN_AS_NODE=1)
 * that runs a knowledge base's optimizes and index builds, one at a time, at the lowest CPU
 * priority and on a LanceDB CPU pool of its own. In the serving process those native calls held
 * Lance's process-wide FIFO pool and both CPUs for seconds, and a search queued behind them
 * (docs/benchmarks.md, "Scale, third pass"); here the OS gives a search's threads the CPU first.
 * Started by upkeep-runner.ts; built as out/main/upkeep-worker.js (electron.vite.config.ts).
 */
import { setPriority } from 'node:os';
import type { Connection } from '@lancedb/lancedb';
import { loadLance } from './store';
import { runUpkeepJob, type FromUpkeepWorker, type ToUpkeepWorker } from './upkeep-protocol';

// First, before LanceDB starts its threads: on Linux a thread's nice value is inherited by the
// threads it starts, so Lance's pool runs at 19 too. Best effort (a host may refuse).
try {
  setPriority(19);
} catch {
  // runs at normal priority
}

const send = (message: FromUpkeepWorker) => {
  if (process.connected) process.send?.(message);
};
const connections = new Map<string, Promise<Connection>>();
let queue: Promise<void> = Promise.resolve();

async function run({ id, uri, table: name, job }: ToUpkeepWorker): Promise<void> {
  try {
    const lance = await loadLance();
    let db = connections.get(uri);
    if (!db) {
      // Strong consistency: every job starts from the version the serving process committed last.
      db = lance.connect(uri, { readConsistencyInterval: 0 });
      connections.set(uri, db);
    }
    const table = await (await db).openTable(name);
    try {
      await runUpkeepJob(lance, table, job);
      send({ type: 'done', id, version: await table.version() });
    } finally {
      table.close();
    }
  } catch (err) {
    send({ type: 'failed', id, message: err instanceof Error ? err.message : String(err) });
  }
}

process.on('message', (message: ToUpkeepWorker) => {
  if (message?.type !== 'job') return;
  queue = queue.then(() => run(message));
});
// The serving process is gone (or closed the channel): nothing to do the work for. A commit is
// atomic in Lance, so ending under a running optimize loses only its uncommitted files.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
