/**
 * Text a small model reads well: a few aligned columns, labels as PromQL writes them, numbers
 * without 17 digits. Raw JSON costs three times the tokens and small models lose track in it.
 */
import type { ToolResult } from '../tool';

/** `name{a="1",b="2"}` (the metric name out of the braces, as PromQL prints a series). */
export function seriesName(labels: Readonly<Record<string, string>>): string {
  const name = labels.__name__ ?? '';
  const rest = Object.keys(labels)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}="${labels[k]}"`);
  return rest.length ? `${name}{${rest.join(',')}}` : name || '{}';
}

/** A sample value as text: at most 6 significant digits, integers as they are. */
export function formatValue(value: string | number): string {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) return String(value);
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  return String(Number(n.toPrecision(6)));
}

/** Columns separated by two spaces, padded to the widest cell (cells cut at 120 characters). */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const cell = (s: string) => (s.length > 120 ? `${s.slice(0, 117)}...` : s).replace(/\s+/g, ' ');
  const all = [headers.map(cell), ...rows.map((r) => r.map(cell))];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

/** ISO time to the second, in UTC: what a person and a model both read. */
export function isoSeconds(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : String(ms);
}

export const ok = (text: string): ToolResult => ({ text });
export const failed = (text: string): ToolResult => ({ text, isError: true });
