/**
 * Reading a model's arguments: it may leave a field out, send a number as a string, or send
 * something else entirely. Each reader answers a value or the sentence the model reads to fix it.
 */
export type Arg<T> = { ok: true; value: T } | { ok: false; error: string };

const own = (args: Record<string, unknown>, name: string): unknown => (Object.hasOwn(args, name) ? args[name] : undefined);

export function stringArg(args: Record<string, unknown>, name: string, options: { required: true; max?: number }): Arg<string>;
export function stringArg(args: Record<string, unknown>, name: string, options?: { required?: false; max?: number }): Arg<string | undefined>;
export function stringArg(args: Record<string, unknown>, name: string, options: { required?: boolean; max?: number } = {}): Arg<string | undefined> {
  const value = own(args, name);
  if (value === undefined || value === null || value === '') {
    return options.required ? { ok: false, error: `argument '${name}' is required (a string)` } : { ok: true, value: undefined };
  }
  if (typeof value !== 'string' && typeof value !== 'number') return { ok: false, error: `argument '${name}' must be a string` };
  const text = String(value).trim();
  const max = options.max ?? 4000;
  if (text.length > max) return { ok: false, error: `argument '${name}' is longer than ${max} characters` };
  return { ok: true, value: text };
}

export function intArg(args: Record<string, unknown>, name: string, fallback: number, range: { min: number; max: number }): Arg<number> {
  const value = own(args, name);
  if (value === undefined || value === null || value === '') return { ok: true, value: fallback };
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isFinite(n)) return { ok: false, error: `argument '${name}' must be a number` };
  return { ok: true, value: Math.min(range.max, Math.max(range.min, Math.round(n))) };
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `5m`, `1h30m`, `90s`, or plain seconds, in milliseconds; null when it is none of those. */
export function parseDuration(text: string): number | null {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * durationUnits[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? total : null;
}

/** A time as a model writes it: `now`, `now-1h`, RFC 3339, or Unix seconds. Milliseconds since epoch. */
export function parseTime(text: string, nowMs: number): number | null {
  if (text === 'now') return nowMs;
  const relative = /^now\s*-\s*(.+)$/.exec(text);
  if (relative) {
    const d = parseDuration(relative[1]!.trim());
    return d === null ? null : nowMs - d;
  }
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
