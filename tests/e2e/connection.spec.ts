import { ChatPage, expect, test } from './fixtures';
import { startApp } from './harness';

test('the event stream drops when the server stops; the UI says so and reconnects', async ({ page, fake }) => {
  fake.reset();
  const first = await startApp({ ollamaUrl: fake.url });
  let second: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    const chat = new ChatPage(page);
    await chat.open(first.url);
    await first.stop({ keepData: true });
    await expect(page.getByTestId('connection-lost')).toBeVisible();
    await expect(page.getByTestId('connection-lost')).toContainText('Connection lost');
    await expect(chat.composer).toBeDisabled();

    // Same port, token and data: "the server came back".
    second = await startApp({ ollamaUrl: fake.url, port: first.port, token: first.token, dataDir: first.dataDir });
    await expect(page.getByTestId('connection-lost')).toBeHidden({ timeout: 20_000 });
    await expect(chat.composer).toBeEnabled();
    fake.configure({ tokensPerSecond: 0, replyTokens: 5 });
    await chat.ask('still there?');
    await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'done');
  } finally {
    await second?.stop();
    await first.stop();
  }
});
