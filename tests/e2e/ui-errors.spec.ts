import { expect, test } from './fixtures';

test('a stalled stream says "stalled for Ns" and can be stopped; a slow one says it is slow, not stalled', async ({ chat, fake }) => {
  const { page } = chat;
  fake.configure({ tokensPerSecond: 50, replyTokens: 100, failure: { kind: 'stall', afterTokens: 5 } });
  await page.getByTestId('new-chat').click();
  await chat.ask('Hello?');
  const answer = chat.lastAnswer();
  await expect(chat.lastAnswerText()).toContainText('Your');
  const stalled = answer.getByTestId('stalled-notice');
  await expect(stalled).toBeVisible({ timeout: 8_000 });
  await expect(stalled).toHaveText(/^Stalled for \d+ s/);
  await expect(answer.getByTestId('slow-notice')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(answer).toHaveAttribute('data-status', 'stopped');
  await expect(stalled).toHaveCount(0);

  // 2 tokens/s: chunks keep coming (never 3 s apart), so slow but not stalled.
  fake.configure({ failure: null, tokensPerSecond: 2, replyTokens: 14 });
  await chat.ask('Slowly please');
  const slow = chat.lastAnswer();
  await expect(slow.getByTestId('slow-notice')).toBeVisible({ timeout: 8_000 });
  await expect(slow.getByTestId('slow-notice')).toHaveText(/Streaming slowly: \d+\.\d tok\/s/);
  await page.waitForTimeout(3_500);
  await expect(slow.getByTestId('stalled-notice')).toHaveCount(0);
  await page.getByTestId('stop-button').click();
  await expect(slow).toHaveAttribute('data-status', 'stopped');
});

test('a mid-stream failure and a dropped connection to Ollama each say what happened', async ({ chat, fake }) => {
  fake.configure({ tokensPerSecond: 0, replyTokens: 20, failure: { kind: 'drop', afterTokens: 3 } });
  await chat.page.getByTestId('new-chat').click();
  await chat.ask('Drop me');
  await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'error');
  await expect(chat.lastAnswer().getByTestId('message-error')).not.toBeEmpty();
  await expect(chat.banner).toBeVisible();
  await expect(chat.lastAnswer().getByTestId('retry-button')).toBeVisible();

  fake.configure({ failure: { kind: 'http', status: 503, message: 'server busy, please try again. maximum pending requests exceeded' } });
  await chat.ask('Busy?');
  await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'error');
  await expect(chat.banner).toContainText('server busy');
});

test('views show the error of a channel that fails', async ({ chat }) => {
  const { page } = chat;
  await page.getByTestId('tab-knowledge').click();
  await page.getByTestId('kb-paths').fill('relative/path');
  await page.getByTestId('kb-add').click();
  await expect(page.getByTestId('kb-action-error')).toContainText('must be an absolute path');
  await page.getByTestId('tab-observability').click();
  await page.getByLabel('Trace id').fill('0123456789abcdef0123456789abcdef');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByTestId('trace-view')).toContainText('no longer in the in-process buffer');
});
