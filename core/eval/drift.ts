/**
 * Embedding drift (seed 2.3): a baseline of the knowledge base's chunk embeddings (their centroid
 * and the mean / standard deviation of their values), and a tracker of the query embeddings the
 * app computes. `agent_embedding_drift_score` is the cosine similarity of the recent queries'
 * centroid (a rolling window) to the baseline centroid: near 1 while queries look like what was
 * ingested, falling when the embedding model changes behind a name (a new tag pulled) or the
 * questions move away from the documents. `agent_embedding_mean` / `agent_embedding_std` are the
 * mean and standard deviation of the values of the window's query vectors.
 *
 * The baseline is a small JSON file per embedding version in the data dir (the store may be a
 * bucket shared by several agents; each agent keeps its own baseline).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Gauge } from 'prom-client';
import { ragMetricNames as N } from '../common/metric-names';
import { createKbStore, embeddingVersionOf } from '../rag/store';
import type { MetricsRegistry } from '../telemetry/prom-metrics';
import { safely } from '../telemetry/safely';
import { cosine } from '../llm/vector-math';

export interface EmbeddingBaseline {
  model: string;
  embeddingVersion: string;
  dim: number;
  /** Vectors it was computed from. */
  count: number;
  centroid: number[];
  /** Mean and standard deviation of all values of all vectors. */
  mean: number;
  std: number;
  createdAt: string;
}

/** Streaming sums for a centroid and the value mean / std of many vectors. */
export class VectorStats {
  private sum: Float64Array | null = null;
  private values = 0;
  private valueSum = 0;
  private valueSquares = 0;
  count = 0;

  add(vector: ArrayLike<number>): void {
    this.sum ??= new Float64Array(vector.length);
    if (vector.length !== this.sum.length) throw new Error(`vector of ${vector.length} dimensions among vectors of ${this.sum.length}`);
    for (let i = 0; i < vector.length; i++) {
      const x = vector[i]!;
      this.sum[i]! += x;
      this.valueSum += x;
      this.valueSquares += x * x;
    }
    this.values += vector.length;
    this.count++;
  }

  get dim(): number {
    return this.sum?.length ?? 0;
  }
  centroid(): number[] {
    return this.sum ? Array.from(this.sum, (x) => x / this.count) : [];
  }
  mean(): number {
    return this.values ? this.valueSum / this.values : 0;
  }
  std(): number {
    if (!this.values) return 0;
    const mean = this.mean();
    return Math.sqrt(Math.max(0, this.valueSquares / this.values - mean * mean));
  }
}

export { cosine } from '../llm/vector-math';

/** The baseline of some vectors, or null when there are none. */
export function computeBaseline(vectors: Iterable<ArrayLike<number>>, model: string): EmbeddingBaseline | null {
  const stats = new VectorStats();
  for (const v of vectors) stats.add(v);
  return baselineOf(stats, model);
}

function baselineOf(stats: VectorStats, model: string): EmbeddingBaseline | null {
  if (stats.count === 0) return null;
  return { model, embeddingVersion: embeddingVersionOf(model, stats.dim), dim: stats.dim, count: stats.count, centroid: stats.centroid(), mean: stats.mean(), std: stats.std(), createdAt: new Date().toISOString() };
}

/** The baseline of the chunks embedded with `model` in the store (streamed), or null when none. */
export async function baselineFromStore(storeUri: string, model: string): Promise<EmbeddingBaseline | null> {
  const store = createKbStore(storeUri);
  try {
    const found = await store.findChunksTable(model);
    if (!found) return null;
    const stats = new VectorStats();
    for await (const batch of found.table.query().select(['vector'])) {
      const column = batch.getChild('vector');
      if (!column) continue;
      for (let i = 0; i < column.length; i++) {
        const v = column.get(i) as { toArray(): ArrayLike<number> } | null;
        if (v) stats.add(v.toArray());
      }
    }
    return baselineOf(stats, model);
  } finally {
    store.close();
  }
}

export function baselinePath(dataDir: string, embeddingVersion: string): string {
  return join(dataDir, 'embedding-baselines', `${embeddingVersion.replace(/[^\w.@-]+/g, '_')}.json`);
}

export function saveBaseline(dataDir: string, baseline: EmbeddingBaseline): string {
  const path = baselinePath(dataDir, baseline.embeddingVersion);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(`${path}.tmp`, JSON.stringify(baseline));
  renameSync(`${path}.tmp`, path);
  return path;
}

/** The saved baseline of an embedding version, or null when there is none (or it is unreadable). */
export function loadBaseline(dataDir: string, embeddingVersion: string): EmbeddingBaseline | null {
  try {
    const b = JSON.parse(readFileSync(baselinePath(dataDir, embeddingVersion), 'utf8')) as EmbeddingBaseline;
    return Array.isArray(b.centroid) && b.centroid.length === b.dim ? b : null;
  } catch {
    return null;
  }
}

/** Recomputes the baseline from the store and saves it (call after an ingestion). */
export async function refreshBaseline(options: { storeUri: string; model: string; dataDir: string }): Promise<EmbeddingBaseline | null> {
  const baseline = await baselineFromStore(options.storeUri, options.model);
  if (baseline) saveBaseline(options.dataDir, baseline);
  return baseline;
}

export interface DriftSnapshot {
  /** Query vectors in the window. */
  queries: number;
  /** Cosine of the window centroid to the baseline centroid; null without a (matching) baseline. */
  driftScore: number | null;
  mean: number;
  std: number;
}

export interface DriftTrackerOptions {
  registry: MetricsRegistry;
  model: string;
  /** The baseline for an embedding version (e.g. `(v) => loadBaseline(dataDir, v)`); asked again when the version changes. */
  baseline: (embeddingVersion: string) => EmbeddingBaseline | null;
  /** Query vectors kept (default 50). */
  window?: number;
  report?: (err: unknown) => void;
}

export interface DriftTracker {
  /** One query embedding the app computed. Never throws. */
  observe(vector: ArrayLike<number>): void;
  /** Forget the cached baseline (after an ingestion refreshed it). */
  reloadBaseline(): void;
  snapshot(): DriftSnapshot;
}

export function createDriftTracker(options: DriftTrackerOptions): DriftTracker {
  const { registry, model } = options;
  const size = options.window ?? 50;
  const report = options.report ?? (() => {});
  const registers = [registry];
  const get = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
  const gauges = {
    drift: get<Gauge<'embedding_model' | 'embedding_version'>>(N.embeddingDrift) ?? new Gauge({ name: N.embeddingDrift, help: 'Cosine similarity of the recent query embeddings centroid to the knowledge base baseline centroid', labelNames: ['embedding_model', 'embedding_version'], registers }),
    mean: get<Gauge<'embedding_model'>>(N.embeddingMean) ?? new Gauge({ name: N.embeddingMean, help: 'Mean of the values of recent query embeddings', labelNames: ['embedding_model'], registers }),
    std: get<Gauge<'embedding_model'>>(N.embeddingStd) ?? new Gauge({ name: N.embeddingStd, help: 'Standard deviation of the values of recent query embeddings', labelNames: ['embedding_model'], registers }),
  };
  const window: Float64Array[] = [];
  let baseline: { version: string; value: EmbeddingBaseline | null } | null = null;
  let last: DriftSnapshot = { queries: 0, driftScore: null, mean: 0, std: 0 };

  const baselineFor = (version: string) => {
    if (baseline?.version !== version) baseline = { version, value: options.baseline(version) };
    return baseline.value;
  };

  return {
    observe(vector) {
      safely(report, () => {
        if (vector.length === 0) return;
        // A new dimension is a new embedding version: the old window no longer compares.
        if (window[0] && window[0].length !== vector.length) window.length = 0;
        window.push(Float64Array.from(vector as ArrayLike<number>));
        if (window.length > size) window.shift();
        const stats = new VectorStats();
        for (const v of window) stats.add(v);
        const version = embeddingVersionOf(model, vector.length);
        const base = baselineFor(version);
        const driftScore = base && base.dim === vector.length ? cosine(stats.centroid(), base.centroid) : null;
        last = { queries: window.length, driftScore, mean: stats.mean(), std: stats.std() };
        gauges.mean.set({ embedding_model: model }, last.mean);
        gauges.std.set({ embedding_model: model }, last.std);
        if (driftScore !== null) gauges.drift.set({ embedding_model: model, embedding_version: version }, driftScore);
      });
    },
    reloadBaseline() {
      baseline = null;
    },
    snapshot: () => ({ ...last }),
  };
}
