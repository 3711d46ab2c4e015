import { expect, test } from './fixtures';

const rows = Array.from({ length: 5000 }, (_, i) => `| ${i} | row ${i} |`).join('\n');
const hostile = [
  '<script>window.__pwned = 1; alert("xss")</script>',
  '',
  '<img src=x onerror="window.__pwned = 2; alert(1)">',
  '',
  '[click me](javascript:window.__pwned=3) and [data](data:text/html,<script>alert(1)</script>) and [rel](/api/v1/health)',
  '',
  '[obfuscated](java&#x09;script:alert(1)) <a href="javascript:alert(1)">raw anchor</a>',
  '',
  '![pixel](javascript:alert(1)) <iframe src="https://example.com"></iframe>',
  '',
  '| n | text |',
  '|---|------|',
  rows,
  '',
  'The end.',
].join('\n');

test('a hostile Markdown answer renders inert: no script, no handler, no javascript: link, the huge table capped', async ({ chat, fake }) => {
  const { page } = chat;
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  fake.configure({ tokensPerSecond: 0, replyText: hostile });
  await page.getByTestId('new-chat').click();
  await chat.ask('Show me something nasty');
  const answer = chat.lastAnswer();
  await expect(answer).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
  await expect(answer).toContainText('The end.');

  // The markup is shown as text, never parsed as HTML.
  await expect(answer).toContainText('<script>window.__pwned = 1; alert("xss")</script>');
  await expect(answer).toContainText('<img src=x onerror=');
  expect(await answer.locator('script, img, iframe, object, embed').count()).toBe(0);
  expect(await page.locator('[onerror], [onclick], [onload]').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  // Only http(s) links survive; the others keep their text without a link.
  const hrefs = await answer.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  for (const href of hrefs) expect(href).toMatch(/^https?:\/\//);
  await expect(answer.getByText('click me')).toBeVisible();
  expect(await answer.getByText('click me').evaluate((el) => el.closest('a'))).toBeNull();

  // 5,000 rows arrive; 200 are drawn, with a note about the rest.
  await expect(answer.locator('table tbody tr')).toHaveCount(200);
  await expect(answer.getByTestId('table-omitted')).toHaveText('4800 more rows not shown');

  await page.waitForTimeout(300);
  expect(dialogs).toEqual([]);
});
