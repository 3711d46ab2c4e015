import { maskSecret } from './mask-secret';
import type { RedactionRule } from './redaction-rule';
import { secretKeywordSource } from './secret-keys';

/**
 * Credentials, masked to a prefix rather than replaced, so an operator can still tell which key
 * was used (observability guide 9.2). Value character classes include `*` so a value another rule
 * already masked is seen whole and left alone instead of being masked twice.
 */

/** Values that only say a secret is absent or unset; masking them would hide that fact. */
const notASecret = new Set(['', 'null', 'undefined', 'true', 'false', 'none']);

function maskUnlessPlaceholder(value: string): string {
  return notASecret.has(value.toLowerCase()) ? value : maskSecret(value);
}

export const urlCredentialsRule: RedactionRule = {
  name: 'url_credentials',
  applies: (f) => f.hasAt && f.hasAssign,
  // Starts at `://`, not at the scheme: the literal is what makes the scan cheap.
  regex: /(:\/\/[^\s:/?#@]+:)[^\s/?#@]*@/g,
  replace: (_m, user) => `${user}****@`,
};

export const bearerRule: RedactionRule = {
  name: 'bearer',
  applies: () => true,
  regex: /\b(bearer\s+)([A-Za-z0-9\-._~+/*]{8,}=*)/gi,
  replace: (_m, prefix, token) => prefix + maskSecret(token),
};

export const authorizationRule: RedactionRule = {
  name: 'authorization',
  applies: (f) => f.hasAssign,
  regex: /(?<![\w-])(authorization["']?\s*[:=]\s*["']?)((?:basic|bearer|token|digest|negotiate|ntlm|apikey)\s+)?([^\s"',;]+)/gi,
  replace: (_m, prefix, scheme, value) => prefix + (scheme ?? '') + maskUnlessPlaceholder(value),
};

/**
 * Shapes providers give their tokens, found even without a telling key around them:
 * OpenAI/Anthropic `sk-`, GitHub `ghp_`/`gho_`/... and `github_pat_`, GitLab `glpat-`, Slack
 * `xoxb-`/`xoxp-`, AWS access key ids, Google API keys, Hugging Face `hf_`, Stripe live keys, JWTs.
 */
export const knownTokenRule: RedactionRule = {
  name: 'known_token',
  applies: () => true,
  regex: new RegExp(
    '\\b(?:' +
      [
        'sk-[A-Za-z0-9_-]{20,}',
        'gh[pousr]_[A-Za-z0-9]{30,}',
        'github_pat_[A-Za-z0-9_]{22,}',
        'glpat-[A-Za-z0-9_-]{20,}',
        'xox[abprs]-[A-Za-z0-9-]{10,}',
        '(?:AKIA|ASIA)[A-Z0-9]{16}',
        'AIza[A-Za-z0-9_-]{35}',
        'hf_[A-Za-z0-9]{30,}',
        '[sr]k_live_[A-Za-z0-9]{16,}',
        'eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*',
      ].join('|') +
      ')(?![\\w-])',
    'g',
  ),
  replace: (token) => maskSecret(token),
};

export const secretAssignmentRule: RedactionRule = {
  name: 'secret_assignment',
  applies: (f) => f.hasAssign,
  regex: new RegExp(
    `(${secretKeywordSource}["']?\\s*[:=]\\s*)(?:"((?:[^"\\\\]|\\\\.)*)"|'([^'\\\\]*)'|([^\\s"',;&}\\]]+))`,
    'gi',
  ),
  replace: (_m, prefix, doubleQuoted, singleQuoted, bare) => {
    if (doubleQuoted !== undefined) return `${prefix}"${maskUnlessPlaceholder(doubleQuoted)}"`;
    if (singleQuoted !== undefined) return `${prefix}'${maskUnlessPlaceholder(singleQuoted)}'`;
    return prefix + maskUnlessPlaceholder(bare ?? '');
  },
};

/** In this order: URL credentials before emails (`user:pass@host.com` looks like one). */
export const secretRules: readonly RedactionRule[] = [
  urlCredentialsRule,
  bearerRule,
  authorizationRule,
  knownTokenRule,
  secretAssignmentRule,
];
