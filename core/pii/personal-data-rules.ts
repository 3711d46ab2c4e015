import { passesLuhn } from './luhn';
import type { RedactionRule } from './redaction-rule';

/**
 * Personal data the seed names (observability guide 1.4). The lookarounds keep each pattern from
 * starting or ending inside a longer token, which is what keeps IPs, versions, timestamps, UUIDs
 * and trace/span ids out: their digit runs always touch a letter, a dot or a dash.
 */

export const emailRule: RedactionRule = {
  name: 'email',
  applies: (f) => f.hasAt,
  regex: /(?<![\w.%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![\w-])/g,
  replace: '[EMAIL]',
};

/** Area 000, 666 and 9xx, group 00 and serial 0000 are never issued. */
export const ssnRule: RedactionRule = {
  name: 'ssn',
  applies: (f) => f.digits >= 9 && f.hasDash && f.longestDigitRun >= 4,
  regex: /(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])/g,
  replace: '[SSN]',
};

/**
 * 13-19 digits, in groups of 4 (or Amex/Diners 4-6-5/4-6-4) with optional spaces or dashes.
 * Beyond the Luhn check, the first digit has to be a card network's (2-6 under ISO/IEC 7812):
 * nanosecond durations and epoch timestamps, which are Luhn-valid one time in ten, start with 1.
 */
export const cardRule: RedactionRule = {
  name: 'card',
  applies: (f) => f.digits >= 13 && f.longestDigitRun >= 4,
  // Written to start with a plain \d (the lookbehind comes after it) so V8 can scan for digits.
  regex: /\d(?<![\w.-]\d)(?:\d{3}[ -]?\d{6}[ -]?\d{4,5}|\d{3}[ -]?(?:\d{4}[ -]?){2}\d{1,7})(?![\w-]|\.\d)/g,
  replace: (match) => {
    const digits = match.replace(/[ -]/g, '');
    const first = digits.charCodeAt(0) - 48;
    if (digits.length < 13 || digits.length > 19 || first < 2 || first > 6) return match;
    return passesLuhn(digits) ? '[CARD]' : match;
  },
};

/** `+49 30 1234567`, `+1 (555) 123-4567`: a `+` then 8-15 digits (E.164), grouped freely. */
export const internationalPhoneRule: RedactionRule = {
  name: 'phone_international',
  applies: (f) => f.hasPlus && f.digits >= 8,
  regex: /(?<![\w+])\+\d{1,3}(?:[ -]?(?:\(\d{1,4}\)|\d{1,6})){1,6}(?![\w-]|\.\d)/g,
  replace: (match) => {
    let digits = 0;
    for (let i = 0; i < match.length; i++) {
      const c = match.charCodeAt(i);
      if (c >= 48 && c <= 57) digits++;
    }
    return digits >= 8 && digits <= 15 ? '[PHONE]' : match;
  },
};

/**
 * North American numbers need their separators (`555-123-4567`, `(555) 123 4567`): ten bare
 * digits are as often a counter or a duration as a phone number.
 */
export const nationalPhoneRule: RedactionRule = {
  name: 'phone_national',
  applies: (f) => f.digits >= 10 && f.longestDigitRun >= 4,
  regex: /(?<![\w.+-])(?:\(\d{3}\)[ -]?|\d{3}[ -])\d{3}[ -]\d{4}(?![\w-]|\.\d)/g,
  replace: '[PHONE]',
};

/** SSN and card before phone: each would otherwise look like a phone number to the next. */
export const personalDataRules: readonly RedactionRule[] = [
  emailRule,
  ssnRule,
  cardRule,
  internationalPhoneRule,
  nationalPhoneRule,
];
