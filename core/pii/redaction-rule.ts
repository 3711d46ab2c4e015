/** What one pass over a line learns, so rules that cannot match skip their regex. */
export interface TextFacts {
  digits: number;
  longestDigitRun: number;
  hasAt: boolean;
  hasPlus: boolean;
  hasDash: boolean;
  hasAssign: boolean;
}

interface RuleBase {
  name: string;
  /** Cheap gate; the rule only runs when this says the line could match. */
  applies: (facts: TextFacts) => boolean;
}

/** A built-in rule: a JavaScript regex written here and reviewed for backtracking. */
export interface RegexRule extends RuleBase {
  /** Global; compiled once when the redactor is built. */
  regex: RegExp;
  replace: string | ((match: string, ...groups: string[]) => string);
}

/** A rule from settings, on a linear-time matcher (custom-patterns.ts): it cannot freeze the loop. */
export interface LinearRule extends RuleBase {
  redact: (text: string) => string;
}

export type RedactionRule = RegexRule | LinearRule;

export function textFacts(text: string): TextFacts {
  const facts: TextFacts = { digits: 0, longestDigitRun: 0, hasAt: false, hasPlus: false, hasDash: false, hasAssign: false };
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      facts.digits++;
      if (++run > facts.longestDigitRun) facts.longestDigitRun = run;
      continue;
    }
    run = 0;
    if (c === 64) facts.hasAt = true;
    else if (c === 43) facts.hasPlus = true;
    else if (c === 45) facts.hasDash = true;
    else if (c === 58 || c === 61) facts.hasAssign = true;
  }
  return facts;
}
