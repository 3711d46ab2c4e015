import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allPromMetricNames } from '../../core/common/metric-names';
import { dashboardExprs, dashboardFiles, isLogsDashboard, provisionedFiles, readDashboard } from '../support/ops/dashboards';
import { checkNames, promqlSelectedNames } from '../support/ops/promql';
import { loadRules } from '../support/ops/rules';

// One source of truth: rules and dashboards in resources/ may only select metric families that
// core/common/metric-names.ts says the app exports (plus `up` and the shipped recording rules).
const rules = loadRules();
const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));

describe('reading metric names out of PromQL', () => {
  it('keeps selectors, drops functions, label names, strings, ranges, offsets, numbers and variables', () => {
    expect(promqlSelectedNames('histogram_quantile(0.95, sum by (le, model) (rate(foo_seconds_bucket{model=~"$model", x="a b"}[$__rate_interval])))')).toEqual(['foo_seconds_bucket']);
    expect(promqlSelectedNames('sum(rate(a_total[1h] offset 1h)) * 3600 > 1e6 and on(instance) b unless ignoring (x) c')).toEqual(['a_total', 'b', 'c']);
    expect(promqlSelectedNames('(sum(rate(x{s=~"5.."}[5m])) or vector(0)) / slo:thing:rate5m > bool -Inf')).toEqual(['x', 'slo:thing:rate5m']);
    expect(promqlSelectedNames('label_values(agent_ollama_tokens_total, model)')).toEqual(['agent_ollama_tokens_total']);
    expect(promqlSelectedNames('sum(x) by (model) / count without (le) (y)')).toEqual(['x', 'y']);
  });

  it('flags the seed names the app does not export', () => {
    const check = checkNames(['agent_ollama_total_tokens', 'agent_ollama_tokens_total', 'agent_ollama_time_to_first_token_seconds_bucket', 'memory_entries_total', 'up', 'slo:nope:rate5m'], allPromMetricNames, recorded);
    expect(check.unknown).toEqual(['agent_ollama_total_tokens', 'memory_entries_total']);
    expect(check.unknownRecorded).toEqual(['slo:nope:rate5m']);
  });
});

describe('resources/ names only metrics the app exports', () => {
  it('every rule expression (alerts and recording rules)', () => {
    for (const rule of rules) {
      const names = promqlSelectedNames(rule.expr);
      const check = checkNames(names, allPromMetricNames, recorded);
      expect(check, `${rule.file}: ${rule.alert ?? rule.record}: ${rule.expr}`).toEqual({ unknown: [], unknownRecorded: [] });
    }
  });

  it('every dashboard query (importable and provisioned forms)', () => {
    const files = [...dashboardFiles(), ...provisionedFiles()];
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      // The logs dashboard runs LogQL, which names no metric (ops-pack-logs.test.ts checks its labels).
      if (isLogsDashboard(readDashboard(file))) continue;
      const exprs = dashboardExprs(readDashboard(file));
      expect(exprs.length, file).toBeGreaterThan(5);
      for (const { where, expr } of exprs) {
        const check = checkNames(promqlSelectedNames(expr), allPromMetricNames, recorded);
        expect(check, `${basename(file)} ${where}: ${expr}`).toEqual({ unknown: [], unknownRecorded: [] });
      }
    }
  });
});
