import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests of the headless mode in Debian's Chromium. The harness (tests/e2e/fixtures.ts)
 * starts the fake Ollama and `agent-bruno serve` on free loopback ports; `npm run build` must have
 * run first (the tests never build).
 */
export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]] : 'list',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: process.env.BRUNO_CHROMIUM ?? '/usr/bin/chromium' },
    viewport: { width: 1100, height: 760 },
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
