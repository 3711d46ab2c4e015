import { DEFAULT_MODELS } from '../fake-ollama';
import { ChatPage, expect, test } from './fixtures';
import { freePort, startApp } from './harness';

test('Ollama down: the banner says it cannot reach Ollama at its address', async ({ page }) => {
  const closedPort = await freePort(); // nothing listens there
  const ollamaUrl = `http://127.0.0.1:${closedPort}`;
  const app = await startApp({ ollamaUrl });
  try {
    const chat = new ChatPage(page);
    await chat.open(app.url);
    await expect(chat.health).toHaveAttribute('data-tone', 'down');
    await expect(chat.health).toContainText('Ollama unreachable');
    await chat.ask('Anyone home?');
    await expect(chat.banner).toBeVisible();
    await expect(page.getByRole('alert')).toContainText(`Cannot reach Ollama at ${ollamaUrl} - is it running?`);
    await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'error');
    await expect(chat.composer).toBeEnabled();
    await page.getByTestId('error-dismiss').click();
    await expect(chat.banner).toBeHidden();
  } finally {
    await app.stop();
  }
});

test('unknown model: the banner says it is not pulled, with the ollama pull hint', async ({ chat, fake }) => {
  // The app's chat model (llama3.1:8b) disappears from Ollama: /api/chat answers 404.
  fake.configure({ models: DEFAULT_MODELS.filter((m) => m.name !== 'llama3.1:8b').map((m) => ({ ...m })) });
  await chat.ask('Hello?');
  await expect(chat.banner).toBeVisible();
  await expect(chat.banner).toContainText("Model 'llama3.1:8b' is not pulled");
  await expect(chat.banner).toContainText('ollama pull llama3.1:8b');
  await expect(chat.banner).toHaveAttribute('data-code', 'model_not_found');
  await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'error');
});

test('without the token the page says where to get it', async ({ page, app }) => {
  await page.goto(app.origin);
  const notice = page.getByTestId('unauthorized');
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('Open the URL printed by `npm run serve` (it carries the token)');
  await expect(page.getByTestId('composer')).toBeDisabled();
});

test('with a wrong token the page says where to get the right one', async ({ page, app }) => {
  await page.goto(`${app.origin}/#token=not-the-right-token-at-all`);
  await expect(page.getByTestId('unauthorized')).toContainText('Open the URL printed by `npm run serve`');
  await expect(page.getByTestId('composer')).toBeDisabled();
});
