import { maskSecret } from './mask-secret';
import { isSecretKey } from './secret-keys';

/** Deeper than any log context needs; stops pathological structures from costing a log line. */
const maxDepth = 8;

/**
 * Redacts every string in a value, keeping its shape: object keys stay, values under keys that
 * name a secret are masked. The result is plain data (what JSON and OTLP attributes can carry):
 * errors become `{ name, message }`, objects with `toJSON` (Date, URL) their JSON form, cycles
 * `[Circular]`, bigints strings.
 */
export function redactValue(value: unknown, redact: (text: string) => string): unknown {
  const ancestors = new Set<object>();

  function walk(v: unknown, depth: number): unknown {
    switch (typeof v) {
      case 'string':
        return redact(v);
      case 'number':
      case 'boolean':
      case 'undefined':
        return v;
      case 'bigint':
        return v.toString();
      case 'symbol':
        return v.toString();
      case 'function':
        return undefined;
    }
    if (v === null) return null;
    const obj = v as object;
    if (ancestors.has(obj)) return '[Circular]';
    if (depth >= maxDepth) return '[Truncated]';
    ancestors.add(obj);
    try {
      return walkObject(obj, depth);
    } finally {
      ancestors.delete(obj);
    }
  }

  function walkObject(obj: object, depth: number): unknown {
    if (obj instanceof Error) return { name: obj.name, message: redact(obj.message) };
    if (Array.isArray(obj)) return obj.map((item) => walk(item, depth + 1));
    if (ArrayBuffer.isView(obj)) return `[${obj.constructor.name} ${obj.byteLength} bytes]`;
    if (obj instanceof Map) return walkEntries([...obj.entries()].map(([k, val]) => [String(k), val]), depth);
    if (obj instanceof Set) return [...obj].map((item) => walk(item, depth + 1));
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return walk(toJSON.call(obj), depth + 1);
    return walkEntries(Object.entries(obj), depth);
  }

  function walkEntries(entries: Array<[string, unknown]>, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const redacted = walk(item, depth + 1);
      out[key] = typeof redacted === 'string' && isSecretKey(key) ? maskSecret(redacted) : redacted;
    }
    return out;
  }

  return walk(value, 0);
}
