import { parse } from 'yaml';
import { shippedRuleTexts } from './shipped-rule-texts.generated';

/** An alerting rule as written in resources/prometheus/rules (the one source of truth). */
export interface ShippedAlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  group: string;
}

/** The text of each rule file, as shipped (generated from resources/prometheus/rules). */
export const shippedRuleFiles: Record<string, string> = shippedRuleTexts;

/** Whitespace-insensitive form of a PromQL expression, for comparing rule file and code. */
export function normalizeExpr(expr: string): string {
  return expr.replace(/\s+/g, ' ').replace(/\s*([(){}[\],])\s*/g, '$1').trim();
}

export function parseAlertRules(files: Record<string, string> = shippedRuleFiles): ShippedAlertRule[] {
  const rules: ShippedAlertRule[] = [];
  for (const text of Object.values(files)) {
    const doc = parse(text) as { groups?: { name: string; rules?: Record<string, unknown>[] }[] };
    for (const group of doc.groups ?? []) {
      for (const rule of group.rules ?? []) {
        if (typeof rule.alert !== 'string') continue;
        rules.push({
          alert: rule.alert,
          expr: String(rule.expr ?? ''),
          for: typeof rule.for === 'string' ? rule.for : '0s',
          labels: (rule.labels ?? {}) as Record<string, string>,
          annotations: (rule.annotations ?? {}) as Record<string, string>,
          group: group.name,
        });
      }
    }
  }
  return rules;
}
