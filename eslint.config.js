// ESLint over the whole tree (`npm run lint`, part of `npm test`). typescript-eslint's
// recommended rules without type information: it lints the ~500 files in seconds on 2 cores,
// and `tsc` already does the type checks. Rules are off only where a file kind needs it, with why.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'coverage/**', 'test-results/**', 'playwright-report/**', 'core/alerts/shipped-rule-texts.generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { console: 'readonly', process: 'readonly', performance: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', Buffer: 'readonly', fetch: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', window: 'readonly', document: 'readonly', navigator: 'readonly', requestAnimationFrame: 'readonly', cancelAnimationFrame: 'readonly' } },
    rules: {
      // `_name` marks a parameter kept for its position (a callback's signature).
      // A `let` assigned once after the closures that read it were made (the tray, a logger's sink).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `interface AppActions extends ChatActions {}`: how a feature adds itself to the store's
      // shape by module augmentation (renderer/src/features/*/actions.ts).
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
