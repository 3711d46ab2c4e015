import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full-GC function without needing `node --expose-gc` on the command line (the npm script runs
 * plain `tsx`). The flag is set at run time and a fresh context picks the `gc` global up.
 * Used between timed blocks only, never inside one.
 */
export function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
