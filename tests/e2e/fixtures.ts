/**
 * Playwright fixtures: one fake Ollama and one headless app per worker (reset before each test),
 * plus helpers to drive the chat page through its data-testids.
 */
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { startApp, type RunningApp } from './harness';

interface WorkerFixtures {
  fake: FakeOllama;
  app: RunningApp;
}

interface TestFixtures {
  /** A page opened on the app's tokenized URL, connected and ready to chat. */
  chat: ChatPage;
  /** Fails the test on an uncaught page error or a CSP violation (auto). */
  pageProblems: string[];
}

/** Chromium's notice about the meta CSP (rendererCsp has frame-ancestors, which only works as a header). */
const ignoredConsole = /'frame-ancestors' is ignored when delivered via a <meta> element/;

export const test = base.extend<TestFixtures, WorkerFixtures>({
  fake: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures a fixture needs from this pattern
    async ({}, use) => {
      const fake = await startFakeOllama({ port: 0 });
      await use(fake);
      await fake.close();
    },
    { scope: 'worker' },
  ],
  app: [
    async ({ fake }, use) => {
      const app = await startApp({ ollamaUrl: fake.url });
      await use(app);
      await app.stop();
    },
    { scope: 'worker', timeout: 30_000 },
  ],
  pageProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('console', (msg) => {
        const text = msg.text();
        if (/Content Security Policy|Refused to/i.test(text) && !ignoredConsole.test(text)) problems.push(`CSP: ${text}`);
      });
      await use(problems);
      expect(problems, 'page errors or CSP violations').toEqual([]);
    },
    { auto: true },
  ],
  chat: async ({ page, fake, app }, use) => {
    fake.reset();
    const chat = new ChatPage(page);
    await chat.open(app.url);
    await use(chat);
  },
});

export { expect };

export class ChatPage {
  readonly composer: Locator;
  readonly send: Locator;
  readonly stop: Locator;
  readonly banner: Locator;
  readonly health: Locator;
  readonly modelPicker: Locator;

  constructor(readonly page: Page) {
    this.composer = page.getByTestId('composer');
    this.send = page.getByTestId('send-button');
    this.stop = page.getByTestId('stop-button');
    this.banner = page.getByTestId('error-banner');
    this.health = page.getByTestId('health');
    this.modelPicker = page.getByTestId('model-picker');
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    // The composer is enabled once the event stream is open: a turn's tokens cannot be missed.
    await expect(this.composer).toBeEnabled();
  }

  /** The last answer (assistant message) on the page. */
  lastAnswer(): Locator {
    return this.page.getByTestId('message-assistant').last();
  }

  lastAnswerText(): Locator {
    return this.lastAnswer().getByTestId('answer-text');
  }

  async ask(message: string): Promise<void> {
    await this.composer.fill(message);
    await this.composer.press('Enter');
  }
}

/** Calls the contract over the public HTTP API, as any client would (the page is not involved). */
export async function invokeApi<T>(app: { origin: string; token: string }, channel: string, input: unknown = {}): Promise<T> {
  const response = await fetch(`${app.origin}/api/v1/invoke/${channel}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${app.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { ok: boolean; result?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${channel}: ${body.error?.message}`);
  return body.result as T;
}

/** Saves a screenshot under test-results/screenshots/ and attaches it to the report. */
export async function saveScreenshot(page: Page, name: string, testInfo: { attach(name: string, options: { path: string; contentType: string }): Promise<void> }): Promise<string> {
  const { mkdir } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { repoRoot } = await import('./harness');
  const dir = join(repoRoot, 'test-results', 'screenshots');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(`${name} view`, { path, contentType: 'image/png' });
  return path;
}

/** Pixels of a chart's canvas in a series' colour (axes and grid are other colours): 0 for an empty chart. */
export async function canvasInk(chart: Locator, rgb: [number, number, number]): Promise<number> {
  return chart.evaluate((host, [r, g, b]) => {
    const canvas = host.querySelector('canvas');
    if (!canvas) return 0;
    const ctx = canvas.getContext('2d');
    if (!ctx) return 0;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! > 200 && Math.abs(data[i]! - r) < 40 && Math.abs(data[i + 1]! - g) < 40 && Math.abs(data[i + 2]! - b) < 40) ink++;
    }
    return ink;
  }, rgb);
}
