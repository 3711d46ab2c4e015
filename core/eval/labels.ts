/**
 * Which stored file a label names. Hits carry real absolute paths; a label is resolved once
 * against the ingested roots to such a path, so matching a hit is an exact comparison.
 */
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';

const real = (path: string): string | null => {
  try {
    return existsSync(path) ? realpathSync(path) : null;
  } catch {
    return null;
  }
};

/**
 * The real path a label names under one of the roots, or null. A label is tried as absolute, then
 * relative to each root, then with its leading folders matched against the root's trailing ones
 * (`pino/docs/api.md` under `/x/node_modules/pino/docs` is `/x/node_modules/pino/docs/api.md`).
 */
export function resolveLabel(label: string, roots: readonly string[]): string | null {
  if (isAbsolute(label)) return real(label);
  const parts = label.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return null;
  for (const root of roots) {
    const direct = real(join(root, ...parts));
    if (direct) return direct;
  }
  for (const root of roots) {
    for (let i = parts.length - 1; i >= 1; i--) {
      const prefix = parts.slice(0, i).join(sep);
      if (root === prefix || root.endsWith(sep + prefix)) {
        const found = real(join(root, ...parts.slice(i)));
        if (found) return found;
      }
    }
  }
  return null;
}
