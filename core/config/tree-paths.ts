/**
 * Dotted paths into plain JSON trees (`grafana.url`). Every key that comes from outside (a
 * settings patch, the settings file) is hostile: `__proto__`, `constructor` and `prototype`
 * would reach Object.prototype through an ordinary assignment, so they are refused everywhere.
 */
import { forbiddenKeys } from '../common/hostile-keys';

export { forbiddenKeys, forbiddenKeyPath } from '../common/hostile-keys';

export type Tree = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Tree {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function keysOf(path: string): string[] {
  const keys = path.split('.');
  for (const key of keys) if (forbiddenKeys.has(key) || key === '') throw new Error(`'${path}' is not a settings path`);
  return keys;
}

export function setPath(target: Tree, path: string, value: unknown): void {
  const keys = keysOf(path);
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (!isPlainObject(next)) node[key] = {};
    node = node[key] as Tree;
  }
  node[keys.at(-1)!] = value;
}

export function getPath(source: unknown, path: string): unknown {
  return keysOf(path).reduce<unknown>((node, key) => (isPlainObject(node) && Object.hasOwn(node, key) ? node[key] : undefined), source);
}

/** Deep merge of plain objects; arrays and other values from `over` replace those in `base`. */
export function mergeTrees(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (forbiddenKeys.has(key)) continue;
    const current = Object.hasOwn(out, key) ? out[key] : undefined;
    out[key] = isPlainObject(value) && isPlainObject(current) ? mergeTrees(current, value) : value;
  }
  return out;
}

/** Leaves of a tree as dotted paths (`{grafana:{url}}` -> `grafana.url`); empty objects are leaves. */
export function leafPaths(value: Tree, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, v]) => (isPlainObject(v) && Object.keys(v).length ? leafPaths(v, `${prefix}${key}.`) : [`${prefix}${key}`]));
}
