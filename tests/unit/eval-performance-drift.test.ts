import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../core/telemetry/prom-metrics';
import type { KbEvalRun } from '../../core/common';
import { ragMetricNames as R } from '../../core/common/metric-names';
import { evalGauges } from '../../core/eval/eval-gauges';
import { recordPerformanceDrift, relativeChange } from '../../core/eval/performance-drift';
import { parseExposition } from '../support/prom-text';

const run = (version: string, mrr: number, hit5: number | undefined, modes: KbEvalRun['modes'][number]['mode'][] = ['vector', 'hybrid']): KbEvalRun => ({
  at: '2026-12-01T10:00:00.000Z',
  set: 'homelab.jsonl',
  trigger: 'manual',
  embeddingVersion: version,
  fusion: 'convex',
  depth: 10,
  queries: 4,
  chunks: 9,
  documents: 3,
  modes: modes.map((mode) => ({ mode, queries: 4, mrr: mode === 'hybrid' || modes.length === 1 ? mrr : 0.01, hitRate: (hit5 === undefined ? { 1: 0.5 } : { 1: 0.5, 5: hit5 }) as Record<number, number>, ndcg: mrr, meanLatencyMs: 1 })),
});

describe('performance drift', () => {
  it('relative change; none from a zero baseline', () => {
    expect(relativeChange(0.72, 0.8)).toBeCloseTo(-0.1, 12);
    expect(relativeChange(0.9, 0.9)).toBe(0);
    expect(relativeChange(0.5, 0)).toBeNull();
    expect(relativeChange(NaN, 0.5)).toBeNull();
  });

  it('compares the hybrid row; a model change replaces the series of the old version; a missing score has no series', async () => {
    const registry = createMetricsRegistry();
    const gauges = evalGauges(registry);
    const versions = new Map<string, string>();
    const baseline = run('a@768', 0.8, 0.9);
    recordPerformanceDrift(gauges, run('a@768', 0.72, 0.9), baseline, versions);
    let s = parseExposition(await registry.metrics()).filter((x) => x.name === R.modelPerformanceDrift);
    expect(s.find((x) => x.labels.metric_name === 'mrr')).toMatchObject({ labels: { model_version: 'a@768', set: 'homelab.jsonl' } });
    expect(s.find((x) => x.labels.metric_name === 'mrr')!.value).toBeCloseTo(-0.1, 12);
    // A new embedding model, and a run that did not report Hit@5.
    recordPerformanceDrift(gauges, run('b@1024', 0.4, undefined), baseline, versions);
    s = parseExposition(await registry.metrics()).filter((x) => x.name === R.modelPerformanceDrift);
    expect(s.every((x) => x.labels.model_version === 'b@1024')).toBe(true);
    expect(s.map((x) => x.labels.metric_name).sort()).toEqual(['mrr', 'ndcg']);
    expect(s.find((x) => x.labels.metric_name === 'mrr')!.value).toBeCloseTo(-0.5, 12);
  });

  it('a run of one mode is compared on that mode', async () => {
    const registry = createMetricsRegistry();
    const gauges = evalGauges(registry);
    recordPerformanceDrift(gauges, run('a@768', 0.6, 0.5, ['fts']), run('a@768', 0.5, 0.5, ['fts']), new Map());
    const mrr = parseExposition(await registry.metrics()).find((x) => x.name === R.modelPerformanceDrift && x.labels.metric_name === 'mrr');
    expect(mrr!.value).toBeCloseTo(0.2, 12);
  });
});
