export { createPiiRedactor, type PiiRedactor, type PiiRedactorOptions } from './pii-redactor';
export { PiiPatternError, piiPatternProblems, type CustomPiiPattern } from './custom-patterns';
export { maskSecret } from './mask-secret';
export { passesLuhn } from './luhn';
