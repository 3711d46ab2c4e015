import type { MetricsRegistry } from '../telemetry/prom-metrics';

export type Labels = Record<string, string>;

export interface SeriesPoint {
  labels: Labels;
  value: number;
}

interface Snapshot {
  t: number;
  /** sample name (e.g. `x_bucket`) -> series key -> point */
  samples: Map<string, Map<string, SeriesPoint>>;
}

export function seriesKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

/**
 * A tiny in-memory time series store of the app's own registry, sampled at the evaluation
 * interval, so the local alert evaluator can compute `rate()` and quantiles over a window the
 * way Prometheus would, without a Prometheus. Bounded by retention.
 */
export class MetricHistory {
  private readonly snapshots: Snapshot[] = [];

  constructor(
    private readonly registry: MetricsRegistry,
    private readonly retentionMs: number,
  ) {}

  async sample(t: number): Promise<void> {
    const samples = new Map<string, Map<string, SeriesPoint>>();
    for (const metric of await this.registry.getMetricsAsJSON()) {
      for (const v of metric.values) {
        const name = (v as { metricName?: string }).metricName ?? metric.name;
        const labels: Labels = {};
        for (const [k, value] of Object.entries(v.labels ?? {})) labels[k] = String(value);
        let byKey = samples.get(name);
        if (!byKey) samples.set(name, (byKey = new Map()));
        byKey.set(seriesKey(labels), { labels, value: v.value });
      }
    }
    this.snapshots.push({ t, samples });
    while (this.snapshots.length > 2 && this.snapshots[0]!.t < t - this.retentionMs) this.snapshots.shift();
  }

  /** PromQL's `time()`: the evaluation time of the latest sample, in seconds. */
  time(): number {
    return (this.snapshots.at(-1)?.t ?? 0) / 1000;
  }

  /** Latest value of every series of `name` matching `match`. */
  instant(name: string, match: Labels = {}): SeriesPoint[] {
    const last = this.snapshots.at(-1);
    return last ? [...(last.samples.get(name)?.values() ?? [])].filter((p) => matches(p.labels, match)) : [];
  }

  /**
   * Per-second increase over the last `windowMs`, per series, like PromQL `rate()` (counter
   * resets handled; a series needs two points in the window).
   */
  rate(name: string, windowMs: number, match: Labels = {}): SeriesPoint[] {
    return this.changes(name, windowMs, match).map(({ labels, increase, spanS }) => ({ labels, value: increase / spanS }));
  }

  /**
   * Increase over the last `windowMs`, per series, as measured (counter resets handled). PromQL's
   * `increase()` also extrapolates to the window's edges; for a series younger than the window
   * (the case here: a count that just started) it adds at most half a sample interval, which a
   * threshold on a count of events does not notice.
   */
  increase(name: string, windowMs: number, match: Labels = {}): SeriesPoint[] {
    return this.changes(name, windowMs, match).map(({ labels, increase }) => ({ labels, value: increase }));
  }

  private changes(name: string, windowMs: number, match: Labels): { labels: Labels; increase: number; spanS: number }[] {
    const last = this.snapshots.at(-1);
    if (!last) return [];
    const inWindow = this.snapshots.filter((s) => s.t >= last.t - windowMs);
    if (inWindow.length < 2) return [];
    const out: { labels: Labels; increase: number; spanS: number }[] = [];
    for (const [key, point] of last.samples.get(name) ?? []) {
      if (!matches(point.labels, match)) continue;
      let increase = 0;
      let first: { t: number; v: number } | null = null;
      let prev: number | null = null;
      for (const s of inWindow) {
        const v = s.samples.get(name)?.get(key)?.value;
        if (v === undefined) continue;
        if (first === null) first = { t: s.t, v };
        else if (prev !== null) increase += v >= prev ? v - prev : v;
        prev = v;
      }
      if (!first || first.t === last.t) continue;
      out.push({ labels: point.labels, increase, spanS: (last.t - first.t) / 1000 });
    }
    return out;
  }
}

export function matches(labels: Labels, match: Labels): boolean {
  for (const [k, v] of Object.entries(match)) {
    if (v.startsWith('~')) {
      if (!new RegExp(`^(?:${v.slice(1)})$`).test(labels[k] ?? '')) return false;
    } else if ((labels[k] ?? '') !== v) return false;
  }
  return true;
}

/** `sum by (labels) (series)`. */
export function sumBy(points: SeriesPoint[], by: string[]): SeriesPoint[] {
  const groups = new Map<string, SeriesPoint>();
  for (const p of points) {
    const labels: Labels = {};
    for (const k of by) if (p.labels[k] !== undefined) labels[k] = p.labels[k]!;
    const key = seriesKey(labels);
    const g = groups.get(key);
    if (g) g.value += p.value;
    else groups.set(key, { labels, value: p.value });
  }
  return [...groups.values()];
}

/**
 * PromQL `histogram_quantile(q, ...)` over bucket series that carry `le`, grouped by the other
 * labels: linear interpolation inside the bucket, as Prometheus does.
 */
export function histogramQuantile(q: number, buckets: SeriesPoint[]): SeriesPoint[] {
  const groups = new Map<string, { labels: Labels; buckets: { le: number; count: number }[] }>();
  for (const b of buckets) {
    const { le, ...rest } = b.labels;
    if (le === undefined) continue;
    const key = seriesKey(rest);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels: rest, buckets: [] }));
    g.buckets.push({ le: le === '+Inf' ? Infinity : Number(le), count: b.value });
  }
  const out: SeriesPoint[] = [];
  for (const g of groups.values()) {
    const sorted = g.buckets.sort((a, b) => a.le - b.le);
    const total = sorted.at(-1)?.count ?? 0;
    if (total <= 0) continue;
    const rank = q * total;
    let prevLe = 0;
    let prevCount = 0;
    for (const b of sorted) {
      if (b.count >= rank) {
        const value = b.le === Infinity ? prevLe : prevLe + (b.le - prevLe) * ((rank - prevCount) / Math.max(b.count - prevCount, Number.EPSILON));
        out.push({ labels: g.labels, value });
        break;
      }
      prevLe = b.le;
      prevCount = b.count;
    }
  }
  return out;
}
