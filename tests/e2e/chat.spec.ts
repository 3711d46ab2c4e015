import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { repoRoot } from './harness';

test('sends a message and shows the answer streaming, then the stats line', async ({ chat, fake, app }, testInfo) => {
  const { page } = chat;
  // The token left the address bar (kept in sessionStorage instead).
  expect(page.url()).toBe(`${app.origin}/`);
  await expect(chat.health).toContainText('Ollama 0.32.15');
  await expect(chat.modelPicker.locator('option:not([data-testid="model-default"])', { hasText: 'llama3.1:8b' })).toHaveCount(1);

  fake.configure({ tokensPerSecond: 20, replyTokens: 60 }); // ~3 s of streaming
  // Shift+Enter is a new line, Enter sends.
  await chat.composer.fill('Hello Bruno');
  await chat.composer.press('Shift+Enter');
  await chat.composer.pressSequentially('how are you?');
  await expect(chat.composer).toHaveValue('Hello Bruno\nhow are you?');
  await chat.composer.press('Enter');

  await expect(page.getByTestId('message-user').last()).toHaveText('Hello Bruno\nhow are you?');
  const answer = chat.lastAnswer();
  const text = chat.lastAnswerText();
  await expect(answer).toHaveAttribute('data-status', 'streaming');
  await expect(chat.composer).toBeDisabled();
  await expect(chat.stop).toBeVisible();

  // Progressive: the text grows over several frames while the answer is still streaming.
  const lengths: number[] = [];
  await expect
    .poll(
      async () => {
        const status = await answer.getAttribute('data-status');
        lengths.push((await text.innerText()).length);
        const distinct = new Set(lengths.filter((n) => n > 0)).size;
        return status === 'streaming' && distinct >= 3;
      },
      { intervals: [150], timeout: 10_000 },
    )
    .toBe(true);
  const growing = lengths.filter((n) => n > 0);
  expect(growing).toEqual([...growing].sort((a, b) => a - b));

  await expect(answer).toHaveAttribute('data-status', 'done', { timeout: 15_000 });
  const stats = answer.getByTestId('stats-line');
  await expect(stats).toBeVisible();
  await expect(stats).toContainText('TTFT');
  await expect(stats).toContainText('tok/s');
  await expect(stats).toContainText(/\d+ in \/ \d+ out/);
  await expect(stats).toContainText('done: stop');
  await expect(chat.stop).toBeHidden();
  await expect(chat.composer).toBeEnabled();
  await expect(chat.banner).toBeHidden();
  expect((await text.innerText()).length).toBeGreaterThan(Math.max(...growing) - 1);
  // The model picker marks the model that answered as loaded.
  await expect(chat.modelPicker.locator('option[data-loaded="true"]:not([data-testid="model-default"])')).toContainText(/^llama3\.1:8b .*— loaded$/);

  const dir = join(repoRoot, 'test-results', 'screenshots');
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'chat.png');
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach('chat view', { path, contentType: 'image/png' });
});

test('a reload keeps the token (sessionStorage) and a follow-up continues the conversation', async ({ chat, fake }) => {
  fake.configure({ tokensPerSecond: 0, replyTokens: 5 });
  await chat.page.reload();
  await expect(chat.composer).toBeEnabled();
  await chat.ask('first');
  await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'done');
  await chat.ask('second');
  await expect(chat.page.getByTestId('message-assistant')).toHaveCount(2);
  await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'done');
  // The second chat request carried the history of the first turn.
  const chats = fake.requests.filter((r) => r.path === '/api/chat');
  const last = chats[chats.length - 1]?.body as { messages?: Array<{ content: string }> };
  expect(last.messages?.some((m) => m.content === 'first')).toBe(true);
});
