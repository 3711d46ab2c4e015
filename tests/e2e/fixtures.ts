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
