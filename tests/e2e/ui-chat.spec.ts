import type { ConversationDetail, ConversationSummary, TurnStats } from '../../core/common';
import { canvasInk, expect, invokeApi, saveScreenshot, test } from './fixtures';

const BLUE: [number, number, number] = [47, 111, 235];

test('a full chat: gauges move while streaming, the stats line equals the stored stats, the trace lists the spans', async ({ chat, fake, app }, testInfo) => {
  const { page } = chat;
  await page.getByTestId('new-chat').click();
  fake.configure({ tokensPerSecond: 25, replyTokens: 75 }); // ~3 s
  await chat.ask('How is the cluster?');
  const answer = chat.lastAnswer();
  await expect(answer).toHaveAttribute('data-status', 'streaming');

  // While streaming: the gauges show live values and the in-answer rate chart gets points.
  const tps = page.getByTestId('gauge-tps');
  await expect(tps).toHaveAttribute('data-live', 'true');
  await expect.poll(async () => Number(await tps.getAttribute('data-value')), { timeout: 10_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('gauge-ttft')).not.toHaveAttribute('data-value', '');
  const seen = new Set<string>();
  await expect
    .poll(async () => {
      seen.add((await tps.getAttribute('data-value')) ?? '');
      return seen.size;
    }, { intervals: [200], timeout: 10_000 })
    .toBeGreaterThanOrEqual(3); // the needle moves
  const current = page.getByTestId('chart-current');
  await expect.poll(async () => Number(await current.getAttribute('data-points'))).toBeGreaterThan(3);
  await expect.poll(() => canvasInk(current, BLUE)).toBeGreaterThan(20);

  await expect(answer).toHaveAttribute('data-status', 'done', { timeout: 15_000 });

  // The stats line shows exactly the turn's stats as the API stores them.
  const [summary] = await invokeApi<ConversationSummary[]>(app, 'conversations.list');
  const detail = await invokeApi<ConversationDetail>(app, 'conversations.get', { conversationId: summary!.id });
  const stored = detail.messages.filter((m) => m.role === 'assistant').at(-1)!;
  const stats = stored.stats as TurnStats;
  expect(stats).toBeTruthy();
  const stat = (key: string) => answer.locator(`[data-stat="${key}"]`);
  await expect(stat('ttft')).toHaveAttribute('data-value', String(stats.ttft_s));
  await expect(stat('tps')).toHaveAttribute('data-value', String(stats.tokens_per_second));
  await expect(stat('tokens')).toHaveAttribute('data-value', `${stats.input_tokens}/${stats.output_tokens}`);
  await expect(stat('tokens')).toHaveText(`${stats.input_tokens} in / ${stats.output_tokens} out`);
  await expect(stat('context')).toHaveAttribute('data-value', String(stats.context_usage_ratio));
  await expect(stat('duration')).toHaveAttribute('data-value', String(stats.wall_duration_s));
  await expect(stat('tps')).toHaveText(`${stats.tokens_per_second!.toFixed(1)} tok/s`);
  await expect(stat('ttft')).toHaveText(`TTFT ${stats.ttft_s!.toFixed(2)} s`);
  // The context bar shows the real (allocated) window of the model.
  await expect(page.getByTestId('context-bar')).toHaveAttribute('data-window', String(stats.context_window));
  expect(stats.context_window).toBe(4096);
  await saveScreenshot(page, 'chat', testInfo);

  // The recent-turns chart has the turn.
  await page.getByTestId('tab-observability').click();
  const recent = page.getByTestId('chart-recent');
  await expect.poll(async () => Number(await recent.getAttribute('data-points'))).toBeGreaterThanOrEqual(1);
  await expect.poll(() => canvasInk(recent, BLUE)).toBeGreaterThan(0);
  await page.getByTestId('tab-chat').click();

  // Trace (Grafana is not configured): the in-app waterfall of the turn.
  await chat.lastAnswer().getByTestId('trace-link').click();
  await expect(page.getByTestId('trace-id')).toHaveText(stats.trace_id!);
  const rows = page.getByTestId('span-row');
  await expect(rows.first()).toBeVisible();
  const names = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
  // Served over HTTP, the trace starts at the API's server span of the request that started the
  // turn (HTTP semconv; the Electron window has no such span), with the turn right under it.
  expect(names.slice(0, 2)).toEqual(['POST /api/v1/invoke/chat.send', 'agent.turn']);
  expect(names).toContain('chat llama3.1:8b');
  await expect(page.locator('[data-name="chat llama3.1:8b"]')).toContainText('request.model=llama3.1:8b');
  await expect(page.locator('[data-name="agent.turn"] [data-testid="span-duration"]')).toHaveText(/\d/);
  await saveScreenshot(page, 'observability', testInfo);
});

test('conversations: new, rename, search, open and delete from the sidebar', async ({ chat, fake }) => {
  const { page } = chat;
  fake.configure({ tokensPerSecond: 0, replyTokens: 5 });
  await page.getByTestId('new-chat').click();
  await chat.ask('Proxmox backup schedule');
  await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'done');
  await page.getByTestId('new-chat').click();
  await expect(page.getByTestId('conversation-empty')).toBeVisible();
  await chat.ask('Grafana alert routing');
  await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'done');

  const items = page.getByTestId('conversation-item');
  const first = items.filter({ hasText: 'Proxmox backup schedule' });
  await expect(first).toHaveCount(1);
  await first.getByTestId('rename-conversation').click();
  await page.getByTestId('rename-input').fill('Backups');
  await page.getByTestId('rename-save').click();
  await expect(items.filter({ hasText: 'Backups' })).toHaveCount(1);

  await page.getByTestId('conversation-search').fill('routing');
  await expect(items.filter({ hasText: 'Grafana alert routing' })).toHaveCount(1);
  await expect(items.filter({ hasText: 'Backups' })).toHaveCount(0);
  await page.getByTestId('conversation-search').fill('');
  await expect(items.filter({ hasText: 'Backups' })).toHaveCount(1);

  await items.filter({ hasText: 'Backups' }).getByRole('button', { name: /^Backups/ }).click();
  await expect(page.getByTestId('message-user')).toHaveText(['Proxmox backup schedule']);
  await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'done');
  await expect(chat.lastAnswer().getByTestId('stats-line')).toBeVisible();

  await items.filter({ hasText: 'Backups' }).getByTestId('delete-conversation').click();
  await page.getByTestId('confirm-delete').click();
  await expect(items.filter({ hasText: 'Backups' })).toHaveCount(0);
  await expect(page.getByTestId('conversation-empty')).toBeVisible();
});

test('Markdown answers: code blocks copy their code, links open outside, Retry asks again', async ({ chat, fake, context }) => {
  const { page } = chat;
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin });
  fake.configure({
    tokensPerSecond: 0,
    replyText: '## Restart\n\nRun **this** on `node1`:\n\n```bash\nsystemctl restart ollama\n```\n\nSee [the docs](https://ollama.com/docs) [1].\n\n- one\n- two\n',
  });
  await page.getByTestId('new-chat').click();
  await chat.ask('How do I restart it?');
  const answer = chat.lastAnswer();
  await expect(answer).toHaveAttribute('data-status', 'done');
  await expect(answer.locator('h4')).toHaveText('Restart');
  await expect(answer.locator('strong')).toHaveText('this');
  await expect(answer.locator('li')).toHaveText(['one', 'two']);
  const link = answer.getByRole('link', { name: 'the docs' });
  await expect(link).toHaveAttribute('href', 'https://ollama.com/docs');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  await answer.getByTestId('copy-code').click();
  await expect(answer.getByTestId('copy-code')).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('systemctl restart ollama');

  // A failed answer offers Retry, which asks the same question again.
  fake.configure({ replyText: null, replyTokens: 5, failure: { kind: 'midstream-error', afterTokens: 2, message: 'GPU fell off the bus', once: true } });
  await chat.ask('And now?');
  await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'error');
  await expect(chat.lastAnswer().getByTestId('message-error')).toContainText('GPU fell off the bus');
  await expect(chat.banner).toContainText('GPU fell off the bus');
  await chat.lastAnswer().getByTestId('retry-button').click();
  await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('message-user').last()).toHaveText('And now?');
});
