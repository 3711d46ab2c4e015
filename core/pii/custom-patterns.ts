import { RE2JS } from 're2js';
import type { LinearRule } from './redaction-rule';

/** A pattern from settings: `pattern` is a regex source, `replacement` defaults to `[NAME]`. */
export interface CustomPiiPattern {
  name: string;
  pattern: string;
  replacement?: string;
}

/** Longer patterns are refused: matching time grows with the pattern's size times the text's. */
export const maxCustomPatternChars = 500;

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

/**
 * A user's pattern runs on RE2JS, a linear-time matcher (the RE2 algorithm in JavaScript, so it
 * also runs in Electron without a native build): `(a+)+b` takes microseconds on any input
 * instead of freezing the event loop, as it did on JavaScript's backtracking RegExp. RE2 syntax is
 * JavaScript's without lookaround and backreferences (`(?i)` for case-insensitive); a pattern
 * that uses them is refused with a message saying so. Replacements follow String.replace ($1, $&).
 */
export function compileCustomPattern(custom: CustomPiiPattern): LinearRule {
  const name = typeof custom.name === 'string' ? custom.name.trim() : '';
  if (!name) throw new PiiPatternError('', 'Invalid PII pattern: every custom pattern needs a name');
  if (typeof custom.pattern !== 'string' || custom.pattern === '') {
    throw new PiiPatternError(name, `Invalid PII pattern "${name}": pattern must be a non-empty regular expression`);
  }
  if (custom.pattern.length > maxCustomPatternChars) {
    throw new PiiPatternError(name, `Invalid PII pattern "${name}": longer than ${maxCustomPatternChars} characters`);
  }
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(custom.pattern);
  } catch (err) {
    const reason = (err as Error).message;
    const hint = /\(\?[=!<]|\\[1-9]|\\k</.test(custom.pattern) ? ' (lookaround and backreferences are not supported: patterns run on a linear-time matcher)' : '';
    throw new PiiPatternError(name, `Invalid PII pattern "${name}": ${reason}${hint}`);
  }
  // A pattern that matches nothing at all would put its replacement between every character.
  if (regex.test('')) {
    throw new PiiPatternError(name, `Invalid PII pattern "${name}": /${custom.pattern}/ matches the empty string`);
  }
  const replacement = custom.replacement ?? `[${name.toUpperCase()}]`;
  return {
    name,
    applies: () => true,
    redact: (text) => (regex.test(text) ? regex.matcher(text).replaceAll(replacement) : text),
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
