// The knowledge base's upkeep worker from source, as tests and benches start it (the built app
// forks out/main/upkeep-worker.js instead): the TypeScript entry through tsx.
import { fileURLToPath } from 'node:url';
import { forkUpkeepWorker, type SpawnUpkeepWorker } from '../../core/rag';

export const upkeepWorkerEntry = fileURLToPath(new URL('../../core/rag/upkeep-worker.ts', import.meta.url));

export function sourceUpkeepWorker(entry: string = upkeepWorkerEntry): SpawnUpkeepWorker {
  return forkUpkeepWorker({ entry, execArgv: ['--import', 'tsx'] });
}
