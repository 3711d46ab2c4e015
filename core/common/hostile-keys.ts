/**
 * Keys that reach an object's prototype through an ordinary assignment or a schema's copy
 * (zod builds its output with `out[key] = value`, so an own `__proto__` key of parsed JSON would
 * become the output's prototype). No input of the contract has a field of these names, so every
 * transport refuses them anywhere in an input (parseInvokeInput), and the settings code refuses
 * them in paths and files (core/config/tree-paths.ts).
 */
import { BrunoError } from './errors';

export const forbiddenKeys: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The `invalid_request` of a forbidden key: its own class, so a transport can audit the refusal. */
export class ForbiddenKeyError extends BrunoError {
  constructor(
    readonly keyPath: string,
    what: string,
  ) {
    super('invalid_request', `${what}: ${keyPath}: '${keyPath.split('.').at(-1)}' is not a field of any method`);
  }
}

/** Throws `invalid_request` naming the first forbidden key of `value`; `what` opens the message. */
export function refuseForbiddenKeys(value: unknown, what: string): void {
  const hostile = forbiddenKeyPath(value);
  if (hostile) throw new ForbiddenKeyError(hostile, what);
}

/**
 * The first forbidden own key of a value (depth first), as a dotted path; null when there is none.
 * Iterative: an input deep enough to overflow a recursive walk must get an answer, not a crash.
 */
export function forbiddenKeyPath(value: unknown, prefix = ''): string | null {
  const stack: Array<[unknown, string]> = [[value, prefix]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    const entries: Array<[string, unknown]> = Array.isArray(v) ? v.map((item, i) => [String(i), item]) : Object.entries(v);
    if (!Array.isArray(v)) {
      for (const [key] of entries) if (forbiddenKeys.has(key)) return `${path}${key}`;
    }
    // Reversed so that the first key found is the first in document order.
    for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i]![1], `${path}${entries[i]![0]}.`]);
  }
  return null;
}
