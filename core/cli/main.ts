import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { forkUpkeepWorker } from '../rag';
import { runCli } from './run-cli';

// Built, the upkeep worker sits beside this file (out/main/upkeep-worker.js, electron.vite.config.ts);
// run from source (tsx), it is the TypeScript entry, loaded through tsx.
const builtWorker = fileURLToPath(new URL('./upkeep-worker.js', import.meta.url));
const spawnUpkeepWorker = existsSync(builtWorker)
  ? forkUpkeepWorker({ entry: builtWorker })
  : forkUpkeepWorker({ entry: fileURLToPath(new URL('../rag/upkeep-worker.ts', import.meta.url)), execArgv: ['--import', 'tsx'] });

// The process entry of the `agent-bruno` bin: real stdio, real signals, then exit with the code.
const code = await runCli(process.argv.slice(2), {
  spawnUpkeepWorker,
  io: {
    stdout: process.stdout,
    stdio: { stdin: process.stdin, stdout: process.stdout },
    stderr: process.stderr,
    env: process.env,
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  },
});
process.exitCode = code;
