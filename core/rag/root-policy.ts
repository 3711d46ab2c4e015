/**
 * Which folders may be ingested. Anyone holding the API token can start an ingestion and then read
 * the text back with kb.search, so an ingest root must lie inside one of `knowledge.allowedRoots`
 * (the home folder by default; the user widens it in the settings or BRUNO_KB_ALLOWED_ROOTS), and
 * never inside the app's data folder (settings.json holds tokens). Containment is checked on real
 * paths: a symlink under the home folder that leads to /etc is /etc. A root that contains the data
 * folder (the home folder itself) is allowed, and the walk leaves the data folder out (`excluded`).
 */
import { realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { BrunoError } from '../common/errors';
import { isInside } from './walk';

export interface RootPolicyDeps {
  /** `knowledge.allowedRoots`: absolute folders, `~` or `~/...`. */
  allowedRoots: readonly string[];
  dataDir?: string | undefined;
  /** The store's folder when it is a local path (inside the data dir by default). */
  storeUri?: string | undefined;
  homeDir?: string;
}

export interface RootPolicy {
  /** Throws invalid_request naming the setting when a (real) root is not allowed. */
  check(realRoots: readonly string[]): Promise<void>;
  /** Real paths the walk must not enter. */
  excluded(): Promise<string[]>;
}

const realOrNull = (path: string) => realpath(path).catch(() => null);

export function createRootPolicy(deps: RootPolicyDeps): RootPolicy {
  const home = deps.homeDir ?? homedir();
  const expand = (p: string) => (p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : resolve(p));

  async function excluded(): Promise<string[]> {
    const local = deps.storeUri && !/^[a-z][a-z0-9+.-]*:\/\//i.test(deps.storeUri) ? [deps.storeUri] : [];
    const found = await Promise.all([...(deps.dataDir ? [deps.dataDir] : []), ...local].map((p) => realOrNull(resolve(p))));
    return [...new Set(found.filter((p): p is string => p !== null))];
  }

  return {
    excluded,
    async check(realRoots) {
      const allowed = (await Promise.all(deps.allowedRoots.map((p) => realOrNull(expand(p))))).filter((p): p is string => p !== null);
      const inside = await excluded();
      for (const root of realRoots) {
        const own = inside.find((dir) => isInside(dir, root));
        if (own) throw new BrunoError('invalid_request', `${root} is inside the app's data folder (${own}), which is never ingested: it holds the settings (with tokens) and the store`);
        if (!allowed.some((dir) => isInside(dir, root))) {
          const shown = deps.allowedRoots.length ? deps.allowedRoots.join(', ') : '(none)';
          throw new BrunoError(
            'invalid_request',
            `${root} is outside the folders the knowledge base may read (knowledge.allowedRoots: ${shown}). To ingest it, add it (or a folder above it) to knowledge.allowedRoots in settings.json or to BRUNO_KB_ALLOWED_ROOTS (folders separated by ':'), then restart.`,
          );
        }
      }
    },
  };
}
