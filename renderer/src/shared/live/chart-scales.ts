/**
 * The ranges and tick labels of the live charts, apart from uPlot so they can be tested. uPlot's
 * auto range turns a single x value into a span of years (time) or -1..1 s (elapsed), and its
 * default ticks mix "100" and "0.00" on one axis; these give a range that fits what the chart
 * measures and one number format per axis.
 */

/** What an x axis measures: seconds into one answer, or wall-clock time across turns (epoch s). */
export type XKind = 'elapsed' | 'time';

/** The shortest span of an elapsed axis: an answer's first seconds are drawn on 0..10 s. */
export const MIN_ELAPSED_SPAN_S = 10;
/** The shortest span of a time axis: turns minutes apart are drawn on at least 10 minutes. */
export const MIN_TIME_SPAN_S = 600;

/**
 * The x range for data from `min` to `max` (null: no data). Elapsed time starts at 0 and spans at
 * least 10 s; wall-clock time spans at least 10 minutes, the newest turn near the right edge.
 */
export function xRange(kind: XKind, min: number | null, max: number | null, nowS: number): [number, number] {
  if (kind === 'elapsed') {
    const hi = max === null || !Number.isFinite(max) ? 0 : max;
    return [0, Math.max(MIN_ELAPSED_SPAN_S, hi)];
  }
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [nowS - MIN_TIME_SPAN_S, nowS];
  if (max - min >= MIN_TIME_SPAN_S) return [min, max];
  // Padded mostly into the past: the right edge is the newest turn plus a little room.
  const right = max + 60;
  return [Math.min(min - 60, right - MIN_TIME_SPAN_S), right];
}

/** The y range: from 0 to a little above the largest value, or to `emptyMax` when there is nothing to draw. */
export function yRange(max: number | null, emptyMax: number): [number, number] {
  if (max === null || !Number.isFinite(max) || max <= 0) return [0, emptyMax];
  return [0, niceCeil(max * 1.1)];
}

/** The smallest of 1, 2, 2.5, 5 times a power of ten at or above `v` (> 0): axis tops read as round numbers. */
export function niceCeil(v: number): number {
  const power = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= v - 1e-12 * power) return step * power;
  return 10 * power;
}

/** The fewest decimals (0..3) that write every tick of an axis exactly: one format for the axis. */
export function axisDecimals(splits: readonly (number | null)[]): number {
  const values = splits.filter((v): v is number => v !== null && Number.isFinite(v));
  for (let d = 0; d < 3; d++) {
    const scale = 10 ** d;
    if (values.every((v) => Math.abs(Math.round(v * scale) - v * scale) < 1e-6 * scale)) return d;
  }
  return 3;
}

/** The labels of one axis's ticks, all with the same decimals, each with the unit when given. */
export function axisLabels(splits: readonly (number | null)[], unit = ''): string[] {
  const d = axisDecimals(splits);
  return splits.map((v) => (v === null || !Number.isFinite(v) ? '' : `${v.toFixed(d)}${unit ? ` ${unit}` : ''}`));
}

/** A value as the legend shows it: two significant decimals below 10, one below 100, none above. */
export function formatValue(v: number | null, unit: string): string {
  if (v === null || Number.isNaN(v)) return '–';
  const n = Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
  return unit ? `${n} ${unit}` : n;
}
