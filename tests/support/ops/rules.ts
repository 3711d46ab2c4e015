import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'yaml';
import { filesIn, opsPaths } from './paths';

export interface RuleEntry {
  file: string;
  group: string;
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface RuleFile {
  groups: { name: string; interval?: string; rules: (Omit<RuleEntry, 'file' | 'group' | 'labels' | 'annotations'> & Partial<Pick<RuleEntry, 'labels' | 'annotations'>>)[] }[];
}

export const ruleFiles = (): string[] => filesIn(opsPaths.rulesDir, '.yml', '.yaml');
export const ruleTestFiles = (): string[] => filesIn(opsPaths.ruleTestsDir, '.yml', '.yaml');

/** Every rule of resources/prometheus/rules, flattened. */
export function loadRules(): RuleEntry[] {
  return ruleFiles().flatMap((path) => {
    const doc = parse(readFileSync(path, 'utf8')) as RuleFile;
    return doc.groups.flatMap((group) =>
      group.rules.map((rule) => ({ ...rule, labels: rule.labels ?? {}, annotations: rule.annotations ?? {}, file: basename(path), group: group.name })),
    );
  });
}

export interface AlertCase {
  file: string;
  test: string;
  alertname: string;
  evalTime: string;
  firing: number;
}

interface RuleTestFile {
  tests: { name?: string; alert_rule_test?: { eval_time: string; alertname: string; exp_alerts?: unknown[] }[] }[];
}

/** The alert_rule_test cases of resources/prometheus/tests: which alert, and how many fire. */
export function loadAlertCases(): AlertCase[] {
  return ruleTestFiles().flatMap((path) => {
    const doc = parse(readFileSync(path, 'utf8')) as RuleTestFile;
    return doc.tests.flatMap((test, i) =>
      (test.alert_rule_test ?? []).map((c) => ({
        file: basename(path),
        test: test.name ?? `test ${i + 1}`,
        alertname: c.alertname,
        evalTime: c.eval_time,
        firing: c.exp_alerts?.length ?? 0,
      })),
    );
  });
}
