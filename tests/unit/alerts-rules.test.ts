import { describe, expect, it } from 'vitest';
import { loadAlertRules, localImplementations } from '../../core/alerts/local-rules';
import { normalizeExpr, parseAlertRules } from '../../core/alerts/shipped-rules';

describe('one source of truth for alerts', () => {
  const shipped = parseAlertRules();
  const byName = new Map(shipped.map((r) => [r.alert, r]));

  it('every local implementation names a shipped rule and computes exactly its expression', () => {
    for (const [name, impl] of Object.entries(localImplementations)) {
      const rule = byName.get(name);
      expect(rule, `${name} is implemented in the app but not in resources/prometheus/rules`).toBeDefined();
      expect(normalizeExpr(impl.implements), `${name}: the app and the rule file disagree`).toBe(normalizeExpr(rule!.expr));
    }
  });

  it('splits the shipped rules into local and Prometheus-only, with the file labels and annotations', () => {
    const { local, remoteOnly } = loadAlertRules(shipped);
    expect(local.length).toBe(Object.keys(localImplementations).length);
    expect(new Set([...local.map((r) => r.name), ...remoteOnly])).toEqual(new Set(shipped.map((r) => r.alert)));
    for (const rule of local) {
      const file = byName.get(rule.name)!;
      expect(rule.for).toBe(file.for);
      expect(rule.labels).toEqual(file.labels);
      expect(rule.annotations).toEqual(file.annotations);
    }
    // What only Prometheus can evaluate: its own `up`, offsets and the long SLO windows.
    expect(remoteOnly).toEqual(expect.arrayContaining(['AgentBrunoDown', 'RequestRateSpike', 'ErrorBudgetBurnFast', 'LatencySLOViolation']));
  });

  it('a rule whose expression changed in the file is no longer evaluated locally', () => {
    const changed = shipped.map((r) => (r.alert === 'OllamaSlowTokenGeneration' ? { ...r, expr: 'agent_ollama_tokens_per_second < 5' } : r));
    const { local, remoteOnly } = loadAlertRules(changed);
    expect(local.map((r) => r.name)).not.toContain('OllamaSlowTokenGeneration');
    expect(remoteOnly).toContain('OllamaSlowTokenGeneration');
  });
});

describe('the rule texts the app carries', () => {
  it('are the files in resources/prometheus/rules (run `npx tsx scripts/sync-rule-texts.ts` after editing one)', async () => {
    const { readFileSync } = await import('node:fs');
    const { renderRuleTexts, generatedFile } = await import('../../scripts/sync-rule-texts');
    expect(readFileSync(generatedFile, 'utf8')).toBe(renderRuleTexts());
  });
});
