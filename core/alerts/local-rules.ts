import { alertSeverities, type AlertSeverity } from '../common/alerts';
import { httpMetricNames as H, judgeMetricNames as J, ollamaMetricNames as O, llmMetricNames as P, ragMetricNames as R } from '../common/metric-names';
import { above, below, type LocalAlertRule } from './local-rule';
import { histogramQuantile, sumBy, type MetricHistory, type SeriesPoint } from './metric-history';
import { normalizeExpr, parseAlertRules, type ShippedAlertRule } from './shipped-rules';

const m5 = 5 * 60_000;

/** `sum(a) / sum(b)` of two instant vectors without labels (an empty side means no answer). */
function ratio(numerator: SeriesPoint[], denominator: SeriesPoint[]): SeriesPoint[] {
  const n = sumBy(numerator, [])[0];
  const d = sumBy(denominator, [])[0];
  if (!d || d.value === 0) return [];
  return [{ labels: {}, value: (n?.value ?? 0) / d.value }];
}

/**
 * The alerts the app can compute from its own metrics: for each, the exact expression of the
 * rule file it implements, and the same computation over the in-memory history. A rule whose
 * expression in the file no longer matches is not evaluated locally (a test catches it first).
 */
export const localImplementations: Record<string, { implements: string; evaluate: (h: MetricHistory) => SeriesPoint[] }> = {
  OllamaSlowTokenGeneration: {
    implements: `${P.tokensPerSecond} < 10`,
    evaluate: (h) => below(h.instant(P.tokensPerSecond), 10),
  },
  OllamaHighContextUsage: {
    implements: `${P.contextUsageRatio} > 0.9`,
    evaluate: (h) => above(h.instant(P.contextUsageRatio), 0.9),
  },
  OllamaHighTokenUsage: {
    implements: `sum by (agent_id) (rate(${P.totalTokens}[1h])) * 3600 > 1000000`,
    evaluate: (h) => above(sumBy(h.rate(P.totalTokens, 3_600_000), ['agent_id']).map((p) => ({ ...p, value: p.value * 3600 })), 1_000_000),
  },
  OllamaSlowTTFT: {
    implements: `histogram_quantile(0.95, sum by (le, model) (rate(${P.timeToFirstToken}_bucket[5m]))) > 3`,
    evaluate: (h) => above(histogramQuantile(0.95, sumBy(h.rate(`${P.timeToFirstToken}_bucket`, m5), ['le', 'model'])), 3),
  },
  OllamaUnreachable: {
    implements: `sum(rate(${P.llmRequests}{status="error"}[5m])) / sum(rate(${P.llmRequests}{status=~"success|error"}[5m])) > 0.5`,
    evaluate: (h) => above(ratio(h.rate(P.llmRequests, m5, { status: 'error' }), h.rate(P.llmRequests, m5, { status: '~success|error' })), 0.5),
  },
  OllamaDown: {
    implements: `${O.up} == 0`,
    evaluate: (h) => h.instant(O.up).filter((p) => p.value === 0),
  },
  HighErrorRate: {
    implements: `sum(rate(${H.requests}{status_code=~"5.."}[5m])) / sum(rate(${H.requests}[5m])) > 0.05`,
    evaluate: (h) => above(ratio(h.rate(H.requests, m5, { status_code: '~5..' }), h.rate(H.requests, m5)), 0.05),
  },
  HighLatency: {
    implements: `histogram_quantile(0.95, sum by (le) (rate(${H.requestDuration}_bucket{endpoint!~"/api/v1/(chat|events)"}[5m]))) > 2`,
    evaluate: (h) =>
      above(
        histogramQuantile(0.95, sumBy(h.rate(`${H.requestDuration}_bucket`, m5).filter((p) => !/^\/api\/v1\/(chat|events)$/.test(p.labels.endpoint ?? '')), ['le'])),
        2,
      ),
  },
  TelemetryExportDropping: {
    implements: `sum by (signal) (increase(${P.telemetryDropped}[10m])) > 0`,
    evaluate: (h) => above(sumBy(h.rate(P.telemetryDropped, 10 * 60_000), ['signal']).map((p) => ({ ...p, value: p.value * 600 })), 0),
  },
  OllamaMalformedStreamLines: {
    implements: `sum(increase(${P.malformedLines}[15m])) > 0`,
    evaluate: (h) => above(sumBy(h.rate(P.malformedLines, 15 * 60_000), []).map((p) => ({ ...p, value: p.value * 900 })), 0),
  },
  RAGRetrievalQualityDegraded: {
    implements: `${R.meanReciprocalRank}{retrieval_method="hybrid"} < 0.75`,
    evaluate: (h) => below(h.instant(R.meanReciprocalRank, { retrieval_method: 'hybrid' }), 0.75),
  },
  LowHitRateAtK: {
    implements: `${R.hitRateAtK}{k="5"} < 0.80`,
    evaluate: (h) => below(h.instant(R.hitRateAtK, { k: '5' }), 0.8),
  },
  RAGRankingQualityDegraded: {
    implements: `${R.ndcg}{k="10"} < 0.70`,
    evaluate: (h) => below(h.instant(R.ndcg, { k: '10' }), 0.7),
  },
  EmbeddingDriftDetected: {
    implements: `${R.embeddingDrift} < 0.95`,
    evaluate: (h) => below(h.instant(R.embeddingDrift), 0.95),
  },
  ModelPerformanceDegraded: {
    implements: `${R.modelPerformanceDrift}{metric_name="mrr"} < -0.05`,
    evaluate: (h) => below(h.instant(R.modelPerformanceDrift, { metric_name: 'mrr' }), -0.05),
  },
  QueryDistributionShift: {
    implements: `${R.queryDriftPValue}{time_window="7d"} < 0.01`,
    evaluate: (h) => below(h.instant(R.queryDriftPValue, { time_window: '7d' }), 0.01),
  },
  RAGEvaluationStale: {
    implements: `time() - ${R.evalTimestamp} > 7 * 86400`,
    evaluate: (h) => above(h.instant(R.evalTimestamp).map((p) => ({ ...p, value: h.time() - p.value })), 7 * 86400),
  },
  LowCacheHitRate: {
    implements: `sum by (cache_type) (rate(${R.cacheHits}[1h])) / (sum by (cache_type) (rate(${R.cacheHits}[1h])) + sum by (cache_type) (rate(${R.cacheMisses}[1h]))) < 0.3 and sum by (cache_type) (rate(${R.cacheMisses}[1h])) * 3600 > 100`,
    evaluate: (h) => {
      const hits = new Map(sumBy(h.rate(R.cacheHits, 3_600_000), ['cache_type']).map((p) => [p.labels.cache_type, p.value]));
      const misses = sumBy(h.rate(R.cacheMisses, 3_600_000), ['cache_type']);
      return misses.flatMap((m) => {
        const hit = hits.get(m.labels.cache_type);
        if (hit === undefined || hit + m.value === 0 || m.value * 3600 <= 100) return [];
        const ratio = hit / (hit + m.value);
        return ratio < 0.3 ? [{ labels: m.labels, value: ratio }] : [];
      });
    },
  },
  HighHallucinationRate: {
    implements: `sum(rate(${J.hallucinations}[1h])) / sum(rate(${J.faithfulness}_count[1h])) > 0.10 and sum(increase(${J.faithfulness}_count[1h])) >= 5`,
    evaluate: (h) => {
      const judged = sumBy(h.increase(`${J.faithfulness}_count`, 3_600_000), [])[0]?.value ?? 0;
      if (judged < 5) return [];
      return above(ratio(h.rate(J.hallucinations, 3_600_000), h.rate(`${J.faithfulness}_count`, 3_600_000)), 0.1);
    },
  },
  AnswerJudgeFailing: {
    implements: `sum(rate(${J.evaluations}{status=~"invalid|error"}[30m])) / sum(rate(${J.evaluations}{status=~"ok|invalid|error"}[30m])) > 0.5 and sum(increase(${J.evaluations}{status=~"invalid|error"}[30m])) >= 3`,
    evaluate: (h) => {
      const m30 = 30 * 60_000;
      const failed = sumBy(h.increase(J.evaluations, m30, { status: '~invalid|error' }), [])[0]?.value ?? 0;
      if (failed < 3) return [];
      return above(ratio(h.rate(J.evaluations, m30, { status: '~invalid|error' }), h.rate(J.evaluations, m30, { status: '~ok|invalid|error' })), 0.5);
    },
  },
  RAGSlowRetrieval: {
    implements: `histogram_quantile(0.95, sum by (le, stage) (rate(${R.retrievalLatency}_bucket[5m]))) > 0.5`,
    evaluate: (h) => above(histogramQuantile(0.95, sumBy(h.rate(`${R.retrievalLatency}_bucket`, m5), ['le', 'stage'])), 0.5),
  },
};

function toLocalRule(rule: ShippedAlertRule): LocalAlertRule | null {
  const impl = localImplementations[rule.alert];
  if (!impl || normalizeExpr(impl.implements) !== normalizeExpr(rule.expr)) return null;
  const severity = (alertSeverities as readonly string[]).includes(rule.labels.severity ?? '') ? (rule.labels.severity as AlertSeverity) : 'warning';
  return { name: rule.alert, expr: rule.expr, for: rule.for, labels: { ...rule.labels, severity }, annotations: rule.annotations, evaluate: impl.evaluate };
}

/** The shipped rules split into what the app evaluates itself and what needs Prometheus. */
export function loadAlertRules(shipped: ShippedAlertRule[] = parseAlertRules()): { local: LocalAlertRule[]; remoteOnly: string[] } {
  const local: LocalAlertRule[] = [];
  const remoteOnly: string[] = [];
  for (const rule of shipped) {
    const converted = toLocalRule(rule);
    if (converted) local.push(converted);
    else remoteOnly.push(rule.alert);
  }
  return { local, remoteOnly };
}
