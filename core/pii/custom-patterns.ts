import type { RedactionRule } from './redaction-rule';

/** A pattern from settings: `pattern` is a regex source, `replacement` defaults to `[NAME]`. */
export interface CustomPiiPattern {
  name: string;
  pattern: string;
  replacement?: string;
}

/** Thrown at start-up for a pattern that cannot work, naming it so settings can be fixed. */
export class PiiPatternError extends Error {
  override readonly name = 'PiiPatternError';
  constructor(
    readonly patternName: string,
    message: string,
  ) {
    super(message);
  }
}

export function compileCustomPattern(custom: CustomPiiPattern): RedactionRule {
  const name = typeof custom.name === 'string' ? custom.name.trim() : '';
  if (!name) throw new PiiPatternError('', 'Invalid PII pattern: every custom pattern needs a name');
  if (typeof custom.pattern !== 'string' || custom.pattern === '') {
    throw new PiiPatternError(name, `Invalid PII pattern "${name}": pattern must be a non-empty regular expression`);
  }
  let regex: RegExp;
  try {
    regex = new RegExp(custom.pattern, 'g');
  } catch (err) {
    throw new PiiPatternError(name, `Invalid PII pattern "${name}": ${(err as Error).message}`);
  }
  // A pattern that matches nothing at all would put its replacement between every character.
  if (new RegExp(custom.pattern).test('')) {
    throw new PiiPatternError(name, `Invalid PII pattern "${name}": /${custom.pattern}/ matches the empty string`);
  }
  return {
    name,
    applies: () => true,
    regex,
    replace: custom.replacement ?? `[${name.toUpperCase()}]`,
  };
}

/** For settings validation at load time: one message per pattern that cannot work. */
export function piiPatternProblems(patterns: readonly CustomPiiPattern[]): string[] {
  const problems: string[] = [];
  for (const pattern of patterns) {
    try {
      compileCustomPattern(pattern);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return problems;
}
