import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alertSeverities } from '../../core/common/alerts';
import { opsPaths } from '../support/ops/paths';
import { loadAlertCases, loadRules, ruleFiles, ruleTestFiles } from '../support/ops/rules';
import { runTool } from '../support/ops/tools';

// The shipped Prometheus pack, checked by the real promtool (Debian's prometheus package).
describe('Prometheus rules and config (promtool)', () => {
  it('promtool check rules: every rule file is clean', () => {
    const result = runTool('promtool', ['check', 'rules', ...ruleFiles()]);
    expect(result.status, result.output).toBe(0);
    expect(ruleFiles().length).toBeGreaterThanOrEqual(4);
  });

  it('promtool test rules: every unit test passes', () => {
    const result = runTool('promtool', ['test', 'rules', ...ruleTestFiles()], { cwd: opsPaths.ruleTestsDir, timeoutMs: 25_000 });
    expect(result.status, result.output).toBe(0);
    expect(result.output).not.toMatch(/FAILED/);
  });

  it('promtool check config: the example prometheus.yml and the rule files it loads', () => {
    const result = runTool('promtool', ['check', 'config', opsPaths.prometheusConfig]);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(new RegExp(`SUCCESS: ${ruleFiles().length} rule files found`));
  });
});

describe('alert rules', () => {
  const rules = loadRules();
  const alerts = rules.filter((r) => r.alert);

  it('alert names are unique', () => {
    const names = alerts.map((a) => a.alert);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('every alert has a known severity, a component, summary, description and runbook_url', () => {
    const allowed: readonly string[] = alertSeverities;
    for (const a of alerts) {
      const where = `${a.file}: ${a.alert}`;
      expect(allowed, where).toContain(a.labels.severity);
      expect(a.labels.component, where).toMatch(/^\w+$/);
      expect(a.annotations.summary, where).toBeTruthy();
      expect(a.annotations.description, where).toBeTruthy();
      expect(a.annotations.runbook_url, where).toMatch(/^https:\/\/\S+\/[a-z0-9-]+$/);
      expect(Object.keys(a.annotations).sort(), where).toEqual(['description', 'runbook_url', 'summary']);
    }
  });

  it('every runbook_url has its section in resources/prometheus/runbooks.md', () => {
    const headings = new Set([...readFileSync(opsPaths.runbooks, 'utf8').matchAll(/^## ([a-z0-9-]+)$/gm)].map((m) => m[1]));
    for (const a of alerts) expect(headings, `${a.alert}: ${a.annotations.runbook_url}`).toContain(a.annotations.runbook_url!.split('/').pop());
  });

  it('ratios read as ratios: context usage and error ratios use humanizePercentage, never a bare "{{ $value }}%"', () => {
    for (const a of alerts) expect(a.annotations.description, a.alert).not.toMatch(/\{\{\s*\$value\s*\}\}\s*%/);
    const byName = new Map(alerts.map((a) => [a.alert, a]));
    for (const name of ['OllamaHighContextUsage', 'OllamaUnreachable', 'HighErrorRate', 'LowHitRateAtK']) {
      expect(byName.get(name)?.annotations.description, name).toContain('humanizePercentage');
    }
    expect(byName.get('OllamaHighContextUsage')?.expr.trim()).toBe('agent_ollama_context_usage_ratio > 0.9');
  });

  it('templates stay within the small set the in-app evaluator renders', () => {
    const allowed = [/^\$labels\.\w+$/, /^\$value \| (humanize|humanizePercentage|humanizeDuration)$/, /^printf "%\.\df" \$value$/];
    for (const a of alerts) {
      for (const [key, text] of Object.entries(a.annotations)) {
        for (const m of text.matchAll(/\{\{\s*(.*?)\s*\}\}/g)) expect(allowed.some((re) => re.test(m[1]!)), `${a.alert} ${key}: {{ ${m[1]} }}`).toBe(true);
      }
    }
  });

  it('the seed alert set, corrected: what a desktop agent can evaluate is there, the rest is left out', () => {
    const names = new Set(alerts.map((a) => a.alert));
    for (const name of [
      'OllamaSlowTokenGeneration', 'OllamaHighContextUsage', 'OllamaHighTokenUsage', 'OllamaSlowTTFT',
      'AgentBrunoDown', 'OllamaUnreachable', 'HighErrorRate', 'HighLatency', 'RequestRateSpike', 'TelemetryExportDropping',
      'RAGRetrievalQualityDegraded', 'LowHitRateAtK', 'RAGRankingQualityDegraded', 'EmbeddingDriftDetected', 'RAGSlowRetrieval',
      'ErrorBudgetBurnFast', 'ErrorBudgetBurnSlow', 'ErrorBudgetHalfConsumed', 'LatencySLOViolation',
      'OllamaDown', 'RAGEvaluationStale', 'LowCacheHitRate',
      'HighHallucinationRate', 'AnswerJudgeFailing', 'ModelPerformanceDegraded', 'QueryDistributionShift',
    ]) expect(names, name).toContain(name);
    // Kubernetes-only or on metrics the app does not export (see the comments in the rule files).
    for (const name of ['HighMemoryUsage', 'LanceDBSlowQueries']) {
      expect(names, name).not.toContain(name);
    }
    expect(alerts.find((a) => a.alert === 'AgentBrunoDown')?.expr).toBe('up{job="agent-bruno"} == 0');
  });

  it('SLO recording rules exist for availability, error ratio and p95 latency over 5m, 1h and 30d', () => {
    const recorded = new Set(rules.filter((r) => r.record).map((r) => r.record));
    for (const window of ['5m', '1h', '30d']) {
      for (const sli of ['slo:availability', 'slo:error_ratio', 'slo:latency_p95_seconds']) expect(recorded, `${sli}:rate${window}`).toContain(`${sli}:rate${window}`);
    }
    for (const name of recorded) expect(name).toMatch(/^slo:\w+:\w+$/);
  });

  it('every alert has promtool unit tests with a firing case and a silent case', () => {
    const cases = loadAlertCases();
    for (const a of alerts) {
      const mine = cases.filter((c) => c.alertname === a.alert);
      expect(mine.some((c) => c.firing > 0), `${a.alert}: no firing case in resources/prometheus/tests`).toBe(true);
      expect(mine.some((c) => c.firing === 0), `${a.alert}: no silent case in resources/prometheus/tests`).toBe(true);
    }
    const known = new Set(alerts.map((a) => a.alert));
    for (const c of cases) expect(known, `${c.file} "${c.test}" tests an alert no rule defines`).toContain(c.alertname);
  });
});
