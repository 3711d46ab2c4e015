/**
 * What the UI benchmarks share: the fake Ollama, `agent-bruno serve` (headless mode) and a page in
 * Debian's Chromium, and one "answer": a new chat, a question, the streamed answer, its text
 * checked against what the fake sent, and the conversation deleted through the public API so the
 * app holds no more after n answers than after one.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { defaultReplyTokens, startFakeOllama } from '../fake-ollama';
import { startApp, type RunningApp } from '../e2e/harness';

export interface UiBench {
  page: Page;
  cdp: CDPSession;
  app: RunningApp;
  /**
   * Streams answer `i`; `around` runs just before the send and just after the answer is done
   * (recording windows). Returns the stream's wall time (s) and whether the text matched.
   */
  answer(i: number, around?: { before?: () => Promise<void>; after?: () => Promise<void> }): Promise<{ seconds: number; textOk: boolean; got: number; expected: number }>;
  close(): Promise<void>;
}

export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export function textArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

/**
 * `replyText`: the answer the fake streams instead of `tokens` tokens of its default reply.
 * `staticDir`: serve the page from another build of the renderer (the API stays the server's),
 * to compare two versions of the UI against the same server in one session.
 */
export async function openUiBench(options: { tokens: number; tps: number; replyText?: string; staticDir?: string }): Promise<UiBench> {
  const fake = await startFakeOllama({ port: 0, tokensPerSecond: options.tps, replyTokens: options.tokens, ...(options.replyText ? { replyText: options.replyText } : {}) });
  let app: RunningApp | null = null;
  let browser: Browser | null = null;
  try {
    app = await startApp({ ollamaUrl: fake.url });
    browser = await chromium.launch({ executablePath: process.env.BRUNO_CHROMIUM ?? '/usr/bin/chromium', headless: true });
  } catch (err) {
    await app?.stop();
    await fake.close();
    throw err;
  }
  const running = app;
  const expected = options.replyText ?? defaultReplyTokens(options.tokens).join('');
  const invoke = async <T>(channel: string, input: unknown): Promise<T> => {
    const response = await fetch(`${running.origin}/api/v1/invoke/${channel}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${running.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    });
    return ((await response.json()) as { result: T }).result;
  };
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  if (options.staticDir) {
    const root = options.staticDir;
    await page.route(
      (url) => url.origin === running.origin && !url.pathname.startsWith('/api/'),
      async (route) => {
        const path = new URL(route.request().url()).pathname;
        const file = normalize(join(root, path === '/' ? 'index.html' : path));
        if (!file.startsWith(normalize(root))) return route.fulfill({ status: 404 });
        const response = await route.fetch();
        // The server's headers (its CSP above all) with the other build's file.
        return route.fulfill({ response, body: await readFile(file), headers: { ...response.headers(), 'content-type': types[extname(file)] ?? 'application/octet-stream' } });
      },
    );
  }
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(running.url);
  await page.getByTestId('composer').waitFor();
  await page.waitForFunction(() => !(document.querySelector('[data-testid="composer"]') as HTMLTextAreaElement).disabled);

  return {
    page,
    cdp,
    app: running,
    async answer(i, around = {}) {
      // A new chat each time: the page holds one long answer, as a user reading answers would.
      await page.getByTestId('new-chat').click();
      await page.getByTestId('conversation-empty').waitFor();
      await page.getByTestId('composer').fill(`Answer ${i}, at length please`);
      await around.before?.();
      const t0 = Date.now();
      await page.getByTestId('composer').press('Enter');
      await page.locator('[data-testid="message-assistant"][data-status="done"]').waitFor({ timeout: 60_000 });
      const seconds = (Date.now() - t0) / 1000;
      await around.after?.();

      const answer = page.getByTestId('message-assistant').last();
      await answer.getByTestId('toggle-source').click();
      const text = await answer.getByTestId('answer-source').evaluate((el) => el.textContent ?? '');
      // Deleted once checked (through the public API; the page follows the event), so after n
      // answers the app holds what it held after the first: any heap growth is a leak.
      const [latest] = await invoke<{ id: string }[]>('conversations.list', { limit: 1 });
      if (latest) await invoke('conversations.delete', { conversationId: latest.id });
      await page.getByTestId('conversation-item').first().waitFor({ state: 'detached' });
      return { seconds, textOk: text === expected, got: text.length, expected: expected.length };
    },
    async close() {
      await browser!.close();
      await running.stop();
      await fake.close();
    },
  };
}
