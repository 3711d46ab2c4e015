/**
 * What a new user sees in the first minute (issue 19): empty charts say so over a fixed range,
 * one point gets a window in the unit of its axis, each axis has one number format with its unit,
 * the picker names the default model and whether it is loaded, and the empty chat offers
 * example questions that send themselves.
 */
import type { Locator } from '@playwright/test';
import { expect, test } from './fixtures';

async function range(chart: Locator): Promise<[number, number]> {
  return [Number(await chart.getAttribute('data-x-min')), Number(await chart.getAttribute('data-x-max'))];
}

/** Every drawn tick label of one axis: the same number of decimals, and the unit when given. */
async function expectOneFormat(chart: Locator, axis: string, unit = '') {
  const attr = await chart.getAttribute(`data-ticks-${axis}`);
  expect(attr, `ticks of axis ${axis}`).toBeTruthy();
  const labels = attr!.split('|');
  expect(labels.length).toBeGreaterThan(1);
  const pattern = new RegExp(`^(\\d+)(\\.\\d+)?${unit ? ` ${unit.replace('/', '\\/')}` : ''}$`);
  const decimals = labels.map((l) => {
    const m = pattern.exec(l);
    expect(m, `tick "${l}" of axis ${axis}`).not.toBeNull();
    return (m![2] ?? '').length;
  });
  expect(new Set(decimals).size, `decimals of ${labels.join(', ')}`).toBe(1);
}

test('empty charts say "no data yet" on a fixed range; one turn gets a window of minutes, an answer one of seconds', async ({ chat, fake }) => {
  const { page } = chat;
  const current = page.getByTestId('chart-current');
  await expect(page.getByTestId('chart-current-empty')).toBeVisible();
  await expect(page.getByTestId('chart-current-empty')).toContainText('No data yet');
  await expect.poll(() => range(current)).toEqual([0, 10]);
  await expectOneFormat(current, 'x', 's');
  await expectOneFormat(current, 'y');
  // The fixed range of an empty rate chart: 0 to 50 tok/s.
  expect((await current.getAttribute('data-ticks-y'))!.split('|').at(-1)).toBe('50');

  await page.getByTestId('tab-observability').click();
  const recent = page.getByTestId('chart-recent');
  await expect(page.getByTestId('chart-recent-empty')).toBeVisible();
  const [emptyLo, emptyHi] = await range(recent);
  expect(emptyHi - emptyLo).toBe(600);
  expect(Math.abs(emptyHi - Date.now() / 1000)).toBeLessThan(120);
  await page.getByTestId('tab-chat').click();

  fake.configure({ tokensPerSecond: 40, replyTokens: 60 });
  await page.getByTestId('new-chat').click();
  await chat.ask('How is the cluster?');
  await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'done', { timeout: 15_000 });
  await expect(page.getByTestId('chart-current-empty')).toBeHidden();
  // An answer of about 1.5 s is drawn from 0 s on the 10 s minimum span.
  const [lo, hi] = await range(page.getByTestId('chart-current'));
  expect(lo).toBe(0);
  expect(hi).toBe(10);
  await expectOneFormat(page.getByTestId('chart-current'), 'y');

  await page.getByTestId('tab-observability').click();
  await expect.poll(async () => Number(await recent.getAttribute('data-points'))).toBe(1);
  await expect(page.getByTestId('chart-recent-empty')).toBeHidden();
  const [oneLo, oneHi] = await range(recent);
  const turnAt = Date.now() / 1000;
  // Ten minutes around the one turn (not the years uPlot's auto range would span).
  expect(oneHi - oneLo).toBe(600);
  expect(oneLo).toBeLessThan(turnAt);
  expect(oneHi).toBeGreaterThan(turnAt - 30);
  await expectOneFormat(recent, 's');
  await expectOneFormat(recent, 'tps');
});

test('the model picker names the default model and says when it is loaded', async ({ chat, fake }) => {
  const { page } = chat;
  const option = chat.modelPicker.getByTestId('model-default');
  await expect(option).toHaveText(/^Default \(llama3\.1:8b\)( — loaded)?$/);
  await expect(chat.modelPicker.locator('option:checked')).toHaveText(/^Default \(llama3\.1:8b\)/);
  fake.configure({ tokensPerSecond: 0, replyTokens: 5 });
  await page.getByTestId('new-chat').click();
  await chat.ask('hello');
  await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'done');
  // The turn loaded it; the picker's list is read again after each turn.
  await expect(option).toHaveText('Default (llama3.1:8b) — loaded');
  await expect(option).toHaveAttribute('data-loaded', 'true');
});

test('the empty chat offers three example questions, and a click sends one', async ({ chat, fake }) => {
  const { page } = chat;
  fake.configure({ tokensPerSecond: 0, replyTokens: 5 });
  await page.getByTestId('new-chat').click();
  const examples = page.getByTestId('example-question');
  await expect(examples).toHaveCount(3);
  const texts = await examples.locator('.example-question').allInnerTexts();
  expect(texts).toContain('Is any Prometheus target down?');
  await expect(examples.filter({ hasText: 'Knowledge base' })).toHaveCount(1);
  await expect(examples.filter({ hasText: 'Prometheus' }).first()).toBeEnabled();

  await examples.filter({ hasText: 'What do my notes say' }).click();
  await expect(page.getByTestId('message-user').last()).toHaveText(texts.find((t) => t.startsWith('What do my notes say'))!);
  await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('conversation-empty')).toHaveCount(0);
});
