/**
 * Query distribution drift (seed 2.3): are the questions asked now distributed like the ones
 * asked before? Each query embedding becomes one number, its cosine similarity to a reference
 * centroid (the knowledge base centroid when the reference began). The first `referenceSize`
 * queries are the reference sample; later ones are the recent sample, and a two-sample
 * Kolmogorov-Smirnov test (ks-test.ts) compares the two per time window (1d, 7d, 30d).
 * `agent_query_distribution_drift_pvalue{time_window}` is its p-value: small (the seed's alert:
 * below 0.01 over 7 days) when the recent queries sit differently around the documents.
 *
 * Why queries against queries and not against the chunks: a question and a passage are different
 * kinds of text, and their similarities to the corpus centroid differ even with no drift at all;
 * comparing them would make the p-value tiny from the first day. The centroid is kept with the
 * reference for the same reason: the base one moves with every ingestion, and similarities to two
 * different centroids do not compare.
 *
 * A window needs `minRecent` queries (20) before it has a p-value; until then it has no series
 * (no data is not "no drift"). The p-values are computed at each scrape, not per query: a
 * query costs one cosine and an append, and a window ages out even when no query arrives.
 */
import { Gauge } from 'prom-client';
import { ragMetricNames as N } from '../common/metric-names';
import { cosine } from '../llm/vector-math';
import { embeddingVersionOf } from '../rag/store';
import type { MetricsRegistry } from '../telemetry/prom-metrics';
import { safely } from '../telemetry/safely';
import type { EmbeddingBaseline } from './drift';
import { ksTwoSample } from './ks-test';
import type { DriftPoint, QueryDriftReference, QueryDriftStore } from './query-drift-store';

export const driftWindows = [
  { label: '1d', ms: 86_400_000 },
  { label: '7d', ms: 7 * 86_400_000 },
  { label: '30d', ms: 30 * 86_400_000 },
] as const;

export interface QueryDriftOptions {
  registry: MetricsRegistry;
  model: string;
  /** The knowledge base baseline of a version (its centroid starts a reference). */
  baseline: (embeddingVersion: string) => EmbeddingBaseline | null;
  store: QueryDriftStore;
  /** Queries in the reference sample (default 50). */
  referenceSize?: number;
  /** Recent queries a window needs before it has a p-value (default 20). */
  minRecent?: number;
  /** Recent queries kept (default 5000; the oldest go first). */
  maxRecent?: number;
  now?: () => number;
  report?: (err: unknown) => void;
}

export interface QueryDriftSnapshot {
  embeddingVersion: string | null;
  reference: number;
  /** Per window: recent queries in it, and the p-value (null: too few). */
  windows: Record<string, { queries: number; pValue: number | null }>;
}

export interface QueryDriftTracker {
  /** One query embedding the app computed. Never throws. */
  observe(vector: ArrayLike<number>): void;
  /** Recomputes the gauges (also done at each scrape). */
  update(): QueryDriftSnapshot;
}

export function createQueryDriftTracker(options: QueryDriftOptions): QueryDriftTracker {
  const { registry, model, store } = options;
  const referenceSize = options.referenceSize ?? 50;
  const minRecent = options.minRecent ?? 20;
  const maxRecent = options.maxRecent ?? 5000;
  const now = options.now ?? Date.now;
  const report = options.report ?? (() => {});
  const longest = Math.max(...driftWindows.map((w) => w.ms));

  let state: { version: string; reference: QueryDriftReference | null; recent: DriftPoint[]; appended: number } | null = null;
  let tracker: QueryDriftTracker | null = null;
  const existing = registry.getSingleMetric(N.queryDriftPValue) as Gauge<'time_window'> | undefined;
  const gauge =
    existing ??
    new Gauge({
      name: N.queryDriftPValue,
      help: 'p-value of a two-sample Kolmogorov-Smirnov test: recent query embeddings against the reference queries, by their cosine similarity to the reference centroid (small = the queries drifted)',
      labelNames: ['time_window'],
      registers: [registry],
      // At each scrape: windows age out even while no query arrives.
      collect() {
        safely(report, () => void tracker?.update());
      },
    });

  const stateFor = (version: string) => {
    if (state?.version !== version) {
      const reference = store.loadReference(version);
      state = { version, reference, recent: reference ? store.loadRecent(version, now() - longest, maxRecent) : [], appended: 0 };
    }
    return state;
  };

  const update = (): QueryDriftSnapshot => {
    const snapshot: QueryDriftSnapshot = { embeddingVersion: state?.version ?? null, reference: state?.reference?.similarities.length ?? 0, windows: {} };
    const full = state?.reference && state.reference.similarities.length >= referenceSize ? state.reference : null;
    const t = now();
    for (const w of driftWindows) {
      const recent = full ? state!.recent.filter(([at]) => at >= t - w.ms).map(([, s]) => s) : [];
      const test = recent.length >= minRecent ? ksTwoSample(full!.similarities, recent) : null;
      snapshot.windows[w.label] = { queries: recent.length, pValue: test?.pValue ?? null };
      if (test) gauge.set({ time_window: w.label }, test.pValue);
      else gauge.remove({ time_window: w.label });
    }
    return snapshot;
  };

  const persist = (work: Promise<void>) => void work.catch(report);

  tracker = {
    observe(vector) {
      safely(report, () => {
        if (vector.length === 0) return;
        const version = embeddingVersionOf(model, vector.length);
        const s = stateFor(version);
        if (!s.reference) {
          const base = options.baseline(version);
          if (!base || base.dim !== vector.length) return;
          s.reference = { embeddingVersion: version, centroid: base.centroid, similarities: [], createdAt: new Date(now()).toISOString() };
        }
        if (s.reference.centroid.length !== vector.length) return;
        // A zero vector (an embedder fault) has no direction: it says nothing about the query.
        if (!Array.prototype.some.call(vector, (x: number) => x !== 0)) return;
        const similarity = cosine(vector, s.reference.centroid);
        if (!Number.isFinite(similarity)) return;
        if (s.reference.similarities.length < referenceSize) {
          s.reference.similarities.push(similarity);
          persist(store.saveReference({ ...s.reference, similarities: [...s.reference.similarities] }));
          return;
        }
        const point: DriftPoint = [Math.floor(now()), Math.max(-1, Math.min(1, similarity))];
        s.recent.push(point);
        if (s.recent.length > maxRecent) s.recent.splice(0, s.recent.length - maxRecent);
        persist(store.appendRecent(version, point));
        // The file holds at most about twice what is kept: cut it back now and then.
        if (++s.appended >= maxRecent) {
          s.appended = 0;
          persist(store.compactRecent(version, [...s.recent]));
        }
      });
    },
    update,
  };
  return tracker;
}
