import { Counter, Gauge, Histogram } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseDuration, renderTemplate } from '../../core/alerts/alert-template';
import { createLocalEvaluator } from '../../core/alerts/local-evaluator';
import { below, type LocalAlertRule } from '../../core/alerts/local-rule';
import { histogramQuantile, MetricHistory, sumBy } from '../../core/alerts/metric-history';
import { mergeRemoteAlerts } from '../../core/alerts/remote-alerts';
import { createMetricsRegistry } from '../../core/telemetry/prom-metrics';

describe('metric history', () => {
  it('computes rate() per series over a window, surviving a counter reset', async () => {
    const registry = createMetricsRegistry();
    const c = new Counter({ name: 'x_total', help: 'x', labelNames: ['m'], registers: [registry] });
    const h = new MetricHistory(registry, 3_600_000);
    c.inc({ m: 'a' }, 10);
    await h.sample(0);
    c.inc({ m: 'a' }, 30);
    await h.sample(10_000);
    c.reset();
    c.inc({ m: 'a' }, 20);
    await h.sample(20_000);
    // 30 in the first 10 s, then a reset to 20: 50 over 20 s.
    expect(h.rate('x_total', 60_000)).toEqual([{ labels: { m: 'a' }, value: 2.5 }]);
    // A window holding one point yields nothing, as in Prometheus.
    expect(h.rate('x_total', 5_000)).toEqual([]);
  });

  it('histogram_quantile interpolates inside the bucket like Prometheus', () => {
    const buckets = [
      { labels: { le: '0.5', model: 'm' }, value: 50 },
      { labels: { le: '1', model: 'm' }, value: 90 },
      { labels: { le: '+Inf', model: 'm' }, value: 100 },
    ];
    expect(histogramQuantile(0.5, buckets)).toEqual([{ labels: { model: 'm' }, value: 0.5 }]);
    expect(histogramQuantile(0.7, buckets)[0]!.value).toBeCloseTo(0.75, 10);
    // Beyond the last finite bucket Prometheus answers that bucket's upper bound.
    expect(histogramQuantile(0.99, buckets)[0]!.value).toBe(1);
    expect(histogramQuantile(0.5, [{ labels: { le: '1' }, value: 0 }])).toEqual([]);
  });

  it('sums by labels', () => {
    expect(sumBy([{ labels: { a: '1', b: 'x' }, value: 1 }, { labels: { a: '1', b: 'y' }, value: 2 }, { labels: { a: '2' }, value: 5 }], ['a'])).toEqual([
      { labels: { a: '1' }, value: 3 },
      { labels: { a: '2' }, value: 5 },
    ]);
  });
});

describe('alert templates', () => {
  it('renders labels, values and the humanize pipes', () => {
    expect(renderTemplate('{{ $labels.model }} at {{ $value }} tok/s', { model: 'llama3.1:8b' }, 3.5)).toBe('llama3.1:8b at 3.5 tok/s');
    expect(renderTemplate('{{ $value | humanizePercentage }} used', {}, 0.934)).toBe('93.4% used');
    expect(renderTemplate('{{ $value | humanize }} tokens', {}, 1_234_567)).toBe('1.235M tokens');
    expect(renderTemplate('{{ printf "%.1f" $value }} s', {}, 3.14159)).toBe('3.1 s');
    expect(renderTemplate('{{ weird }}', {}, 1)).toBe('{{ weird }}');
  });

  it('parses Prometheus durations', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(() => parseDuration('five')).toThrow(/not a Prometheus duration/);
  });
});

describe('local evaluator', () => {
  it('goes pending, then firing after `for`, then resolves', async () => {
    const registry = createMetricsRegistry();
    const g = new Gauge({ name: 'speed', help: 's', labelNames: ['model'], registers: [registry] });
    const rule: LocalAlertRule = {
      name: 'Slow',
      expr: 'speed < 10',
      for: '1m',
      labels: { severity: 'warning' },
      annotations: { summary: 'slow', description: '{{ $labels.model }} at {{ $value }}' },
      evaluate: (h) => below(h.instant('speed'), 10),
    };
    let t = 0;
    const evaluator = createLocalEvaluator({ rules: [rule], history: new MetricHistory(registry, 3_600_000), now: () => t });
    g.set({ model: 'm' }, 3);
    const first = await evaluator.tick();
    expect(first).toMatchObject([{ name: 'Slow', state: 'pending', severity: 'warning', description: 'm at 3', source: 'local', labels: { model: 'm', severity: 'warning', alertname: 'Slow' } }]);
    t = 30_000;
    expect((await evaluator.tick())[0]?.state).toBe('pending');
    t = 60_000;
    const firing = await evaluator.tick();
    expect(firing[0]?.state).toBe('firing');
    expect(firing[0]?.activeSince).toBe(new Date(0).toISOString());
    g.set({ model: 'm' }, 50);
    t = 90_000;
    expect(await evaluator.tick()).toEqual([]);
    g.set({ model: 'm' }, 3);
    t = 120_000;
    // After resolving, the clock starts over.
    expect((await evaluator.tick())[0]).toMatchObject({ state: 'pending', activeSince: new Date(120_000).toISOString() });
  });

  it('a rule that throws is skipped, the others still evaluate', async () => {
    const registry = createMetricsRegistry();
    new Histogram({ name: 'h', help: 'h', registers: [registry] });
    const broken: LocalAlertRule = { name: 'Broken', expr: 'x', for: '0s', labels: { severity: 'info' }, annotations: {}, evaluate: () => { throw new Error('boom'); } };
    const always: LocalAlertRule = { name: 'Always', expr: 'vector(1)', for: '0s', labels: { severity: 'info' }, annotations: {}, evaluate: () => [{ labels: {}, value: 1 }] };
    const evaluator = createLocalEvaluator({ rules: [broken, always], history: new MetricHistory(registry, 60_000), now: () => 0 });
    expect((await evaluator.tick()).map((a) => [a.name, a.state])).toEqual([['Always', 'firing']]);
  });
});

describe('remote alert merge', () => {
  it('takes firing alerts from Alertmanager and adds pending ones from Prometheus', () => {
    const base = { severity: 'warning' as const, summary: null, description: null, annotations: {}, generatorUrl: null };
    const prom = [
      { ...base, id: 'A{x}', name: 'A', state: 'firing' as const, labels: {}, activeSince: '2026-01-01T00:00:00Z', value: 3, source: 'prometheus' as const },
      { ...base, id: 'B{x}', name: 'B', state: 'pending' as const, labels: {}, activeSince: null, value: 1, source: 'prometheus' as const },
    ];
    const am = [{ ...base, id: 'A{x}', name: 'A', state: 'firing' as const, labels: {}, activeSince: '2026-01-01T00:05:00Z', value: null, source: 'alertmanager' as const, generatorUrl: 'http://prom/graph' }];
    const merged = mergeRemoteAlerts(prom, am);
    expect(merged.map((a) => [a.name, a.state, a.source, a.value])).toEqual([
      ['A', 'firing', 'alertmanager', 3],
      ['B', 'pending', 'prometheus', 1],
    ]);
  });
});

describe('remote mode reads /api/v1/rules', () => {
  it('lists the shipped rules the configured Prometheus does not load', async () => {
    const { createAlertsService } = await import('../../core/alerts');
    const fakeFetch = (async (url: string) => {
      const body = url.endsWith('/api/v1/rules')
        ? { status: 'success', data: { groups: [{ rules: [{ type: 'alerting', name: 'A' }, { type: 'recording', name: 'slo:x' }] }] } }
        : { status: 'success', data: { alerts: [] } };
      return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const service = createAlertsService({
      registry: createMetricsRegistry(),
      rules: [],
      remoteOnlyRules: [],
      shippedRules: ['A', 'B'],
      prometheusUrl: 'http://127.0.0.1:9090',
      alertmanagerUrl: null,
      intervalMs: 3_600_000,
      onChange: () => {},
      fetch: fakeFetch,
    });
    const state = await service.refresh();
    service.stop();
    expect(state).toMatchObject({ mode: 'remote', needsPrometheus: ['B'], error: null });
  });
});
