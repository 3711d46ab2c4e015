/** Enough of a key to tell which one was used (the seed's `api_key[:8] + "****"`). */
const keptChars = 8;
export const secretMask = '****';

/**
 * Masks a secret to its first 8 characters + `****`. A short value (under 16 characters, e.g. a
 * password) is masked whole: there, 8 characters would be most or all of the secret, and a prefix
 * only helps to identify long generated tokens. A value that already carries the mask is returned
 * as is, because several rules can meet the same secret (`api_key=sk-...`).
 */
export function maskSecret(value: string): string {
  if (value.includes(secretMask)) return value;
  return value.length >= keptChars * 2 ? value.slice(0, keptChars) + secretMask : secretMask;
}
