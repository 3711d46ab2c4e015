import { defineConfig } from '@playwright/test';

/**
 * The desktop app itself, driven through Playwright's `_electron`: `npm run test:electron`
 * (after `npm run build`). It needs the Electron binary; where there is none (these CI machines:
 * it cannot be downloaded) every test is reported as skipped with the reason, never as passed.
 * Kept apart from `npm test`'s Playwright run (playwright.config.ts, tests/e2e).
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../../test-results/electron',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
});
