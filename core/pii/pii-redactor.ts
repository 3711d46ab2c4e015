import { compileCustomPattern, type CustomPiiPattern } from './custom-patterns';
import { personalDataRules } from './personal-data-rules';
import { redactValue } from './redact-value';
import { textFacts, type RedactionRule } from './redaction-rule';
import { secretRules } from './secret-rules';

export interface PiiRedactorOptions {
  /** From settings; applied after the built-in rules. A bad one throws `PiiPatternError`. */
  customPatterns?: readonly CustomPiiPattern[];
}

export interface PiiRedactor {
  redact(text: string): string;
  /** Deep: strings anywhere in objects and arrays; returns plain data safe to serialize. */
  redactValue(value: unknown): unknown;
}

/** No rule can match fewer characters than the shortest email (`a@b.co`). */
const shortestMatch = 6;

export function createPiiRedactor(options: PiiRedactorOptions = {}): PiiRedactor {
  const rules: readonly RedactionRule[] = [
    ...secretRules,
    ...personalDataRules,
    ...(options.customPatterns ?? []).map(compileCustomPattern),
  ];

  function redact(text: string): string {
    if (text.length < shortestMatch) return text;
    const facts = textFacts(text);
    let out = text;
    for (const rule of rules) {
      if (!rule.applies(facts)) continue;
      if (!('regex' in rule)) out = rule.redact(out);
      // Both overloads of replace, chosen by the rule's replacement type.
      else out = typeof rule.replace === 'string' ? out.replace(rule.regex, rule.replace) : out.replace(rule.regex, rule.replace);
    }
    return out;
  }

  return {
    redact,
    redactValue: (value) => redactValue(value, redact),
  };
}
