/**
 * The retrieval-quality gauges (seed 2.3) set from an evaluation run. They hold the last run's
 * values; the rules in resources/prometheus/rules/rag-quality.yml alert on them.
 * - MRR per retrieval_method (vector, fts, hybrid: the `--mode` names);
 * - Hit@k and NDCG@k carry no method label (the seed's labels): they are the hybrid search's,
 *   the mode every chat turn retrieves with (or the only mode evaluated).
 */
import { Gauge } from 'prom-client';
import { ragMetricNames as N } from '../common/metric-names';
import type { MetricsRegistry } from '../telemetry/prom-metrics';
import type { EvalReport } from './run-eval';
import { rankedMode, type KbEvalRun } from '../common/knowledge';

export interface EvalGauges {
  mrr: Gauge<'embedding_version' | 'retrieval_method'>;
  hitRate: Gauge<'k' | 'embedding_version'>;
  ndcg: Gauge<'k' | 'embedding_version'>;
  /** Per set; no series until a set was evaluated (the stale alert then has nothing to say). */
  timestamp: Gauge<'set'>;
  /** Relative change of a score against the set's baseline run (performance-drift.ts). */
  performanceDrift: Gauge<'metric_name' | 'model_version' | 'set'>;
}

/** The gauges on the registry, created unless another module registered them first. */
export function evalGauges(registry: MetricsRegistry): EvalGauges {
  const registers = [registry];
  const get = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
  return {
    mrr: get<EvalGauges['mrr']>(N.meanReciprocalRank) ?? new Gauge({ name: N.meanReciprocalRank, help: 'Mean reciprocal rank of the first relevant document over the evaluation set (agent-bruno eval)', labelNames: ['embedding_version', 'retrieval_method'], registers }),
    hitRate: get<EvalGauges['hitRate']>(N.hitRateAtK) ?? new Gauge({ name: N.hitRateAtK, help: 'Share of evaluation queries with a relevant document in the top k (hybrid search)', labelNames: ['k', 'embedding_version'], registers }),
    ndcg: get<EvalGauges['ndcg']>(N.ndcg) ?? new Gauge({ name: N.ndcg, help: 'Mean NDCG@k of the evaluation set (hybrid search)', labelNames: ['k', 'embedding_version'], registers }),
    timestamp: get<EvalGauges['timestamp']>(N.evalTimestamp) ?? new Gauge({ name: N.evalTimestamp, help: 'Unix time of the last evaluation of each set (kb.eval, agent-bruno eval, after ingest, schedule)', labelNames: ['set'], registers }),
    performanceDrift:
      get<EvalGauges['performanceDrift']>(N.modelPerformanceDrift) ??
      new Gauge({ name: N.modelPerformanceDrift, help: "Relative change of a retrieval score (mrr, hit_rate at 5, ndcg) of a set's latest evaluation against its baseline run: (now - baseline) / baseline, negative = degradation", labelNames: ['metric_name', 'model_version', 'set'], registers }),
  };
}

/** Sets the quality gauges and the set's timestamp from a kept run (at start, and after each run). */
export function recordEvalRun(gauges: EvalGauges, run: KbEvalRun): void {
  recordEvalReport(gauges, run);
  const at = Date.parse(run.at);
  if (Number.isFinite(at)) gauges.timestamp.set({ set: run.set }, at / 1000);
}

/** Sets the gauges from a report. */
export function recordEvalReport(gauges: EvalGauges, report: Pick<EvalReport, 'embeddingVersion' | 'modes' | 'depth'>): void {
  const version = report.embeddingVersion;
  for (const m of report.modes) gauges.mrr.set({ embedding_version: version, retrieval_method: m.mode }, m.mrr);
  const ranked = rankedMode(report);
  if (!ranked) return;
  for (const [k, rate] of Object.entries(ranked.hitRate)) gauges.hitRate.set({ k, embedding_version: version }, rate);
  gauges.ndcg.set({ k: String(report.depth), embedding_version: version }, ranked.ndcg);
}
