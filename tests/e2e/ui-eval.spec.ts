/**
 * The Knowledge view's retrieval evaluation: Evaluate runs the configured set against the fake
 * Ollama and shows the scores and the trend; without a set the button is disabled with the reason.
 * Both states pass the layout checks (layout.ts) at 1024 px, the narrowest width the screenshots use.
 */
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { KbSource } from '../../core/common';
import { ChatPage, expect, invokeApi, saveScreenshot, test } from './fixtures';
import { startApp } from './harness';
import { layoutProblems } from './layout';

/** The layout once fonts and the chart's frame have settled (as the screenshot spec does). */
async function settledLayout(page: Page): Promise<string[]> {
  await page.evaluate(() => document.fonts.ready);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return layoutProblems(page);
}

test('Evaluate with a configured set: running state, scores per mode, the trend grows; a lost set file shows its error', async ({ page, fake }, testInfo) => {
  test.setTimeout(90_000);
  fake.reset();
  const dir = await mkdtemp(join(tmpdir(), 'bruno-eval-e2e-'));
  const docs = join(dir, 'docs');
  const set = join(dir, 'homelab.jsonl');
  await import('node:fs/promises').then((fs) => fs.mkdir(docs));
  await writeFile(join(docs, 'nas.md'), '# NAS\nThe NAS lives at 192.168.0.20 and serves the media share over SMB.\n');
  await writeFile(join(docs, 'router.md'), '# Router\nThe router runs OpenWrt; its admin page is on port 8443.\n');
  await writeFile(join(docs, 'backup.md'), '# Backups\nRestic backs up the NAS every night to the offsite bucket.\n');
  await writeFile(set, [
    JSON.stringify({ query: 'What address does the NAS have?', relevant: ['nas.md'] }),
    JSON.stringify({ query: 'OpenWrt admin page port', relevant: ['router.md'] }),
    JSON.stringify({ query: 'nightly restic backups', relevant: ['backup.md', 'gone.md'] }),
  ].join('\n'));
  const app = await startApp({ ollamaUrl: fake.url, env: { BRUNO_EVAL_SET: set, BRUNO_EVAL_AFTER_INGEST: 'false' } });
  try {
    await invokeApi(app, 'kb.ingest', { paths: [docs] });
    await expect.poll(async () => (await invokeApi<KbSource[]>(app, 'kb.sources')).find((s) => s.root === docs)?.files ?? 0, { timeout: 20_000 }).toBe(3);

    await page.setViewportSize({ width: 1024, height: 900 });
    await new ChatPage(page).open(app.url);
    await page.getByTestId('tab-knowledge').click();
    const button = page.getByTestId('kb-eval-run');
    await expect(page.getByTestId('kb-eval-set')).toContainText('homelab.jsonl');
    await expect(page.getByTestId('kb-eval-none')).toBeVisible();
    await expect(page.getByTestId('kb-eval-trend-empty')).toBeVisible();
    await expect(button).toBeEnabled();

    // Slow embeddings: the running state is on screen while the queries run.
    fake.configure({ promptEvalMs: 250 });
    await button.click();
    await expect(button).toHaveText('Evaluating…');
    await expect(button).toBeDisabled();
    await expect(page.getByTestId('kb-eval-running')).toBeVisible();
    fake.configure({ promptEvalMs: 0 });
    await expect(button).toHaveText('Evaluate', { timeout: 30_000 });
    await expect(page.getByTestId('kb-eval-running')).toBeHidden();

    const hybrid = page.locator('[data-testid="kb-eval-mode"][data-mode="hybrid"]');
    await expect(hybrid.getByTestId('kb-eval-mrr')).toHaveText(/^(0\.\d\d|1\.00)$/);
    await expect(page.locator('[data-testid="kb-eval-mode"]')).toHaveCount(3);
    const results = page.getByTestId('kb-eval-results');
    for (const head of ['MRR', 'Hit@1', 'Hit@5', 'NDCG@10']) await expect(results.locator('th', { hasText: head }).first()).toBeVisible();
    const last = page.getByTestId('kb-eval-last');
    await expect(last).toContainText('run by hand');
    await expect(last).toContainText('homelab.jsonl');
    await expect(last).toContainText('3 queries');
    await expect(last).toContainText(/nomic-embed-text/);
    await expect(page.getByTestId('kb-eval-unresolved')).toContainText('1 label');
    // The MRR on screen is the kept run's.
    const runs = await invokeApi<{ modes: { mode: string; mrr: number }[] }[]>(app, 'kb.evalHistory', {});
    expect(runs).toHaveLength(1);
    await expect(hybrid.getByTestId('kb-eval-mrr')).toHaveText(runs[0]!.modes.find((m) => m.mode === 'hybrid')!.mrr.toFixed(2));

    const trend = page.getByTestId('kb-eval-trend');
    await expect(trend).toHaveAttribute('data-points', '1');
    await expect(page.getByTestId('kb-eval-trend-empty')).toBeHidden();
    await button.click();
    await expect(trend).toHaveAttribute('data-points', '2', { timeout: 30_000 });
    await page.getByTestId('kb-eval').scrollIntoViewIfNeeded();
    expect(await settledLayout(page), 'layout with results at 1024 px').toEqual([]);
    await saveScreenshot(page, 'knowledge-eval-1024', testInfo);

    // The set file is gone: the core's reason is shown, the kept results stay.
    await unlink(set);
    await button.click();
    await expect(page.getByTestId('kb-eval-error')).toContainText('The evaluation set homelab.jsonl could not be read: ENOENT');
    await expect(trend).toHaveAttribute('data-points', '2');
    await expect(button).toBeEnabled();
    expect(await settledLayout(page), 'layout with an error at 1024 px').toEqual([]);
  } finally {
    fake.configure({ promptEvalMs: 0 });
    await app.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('no evaluation set configured: Evaluate is disabled and says why; naming one in Settings enables it', async ({ chat, app }) => {
  const { page } = chat;
  await page.setViewportSize({ width: 1024, height: 900 });
  await page.getByTestId('tab-knowledge').click();
  const button = page.getByTestId('kb-eval-run');
  const reason = page.getByTestId('kb-eval-reason');
  await expect(reason).toContainText('No evaluation set is configured');
  await expect(reason).toContainText('Settings, Retrieval evaluation');
  await expect(reason).toContainText('BRUNO_EVAL_SET');
  await expect(button).toBeDisabled();
  await expect(button).toHaveAttribute('aria-describedby', 'kb-eval-reason');
  await expect(page.getByTestId('kb-eval-trend-empty')).toBeVisible();
  await expect(page.getByTestId('kb-eval-none').or(page.getByTestId('kb-eval-last'))).toBeVisible();
  await page.getByTestId('kb-eval').scrollIntoViewIfNeeded();
  expect(await settledLayout(page), 'layout at 1024 px').toEqual([]);

  // The setting is live: saved in Settings, the Knowledge view's button turns on.
  try {
    await page.getByTestId('tab-settings').click();
    await page.getByTestId('setting-knowledge-eval-set').fill('/srv/eval/homelab.jsonl');
    await page.getByTestId('settings-save').click();
    await expect(page.getByTestId('settings-saved')).toBeVisible();
    await page.getByTestId('tab-knowledge').click();
    await expect(page.getByTestId('kb-eval-set')).toContainText('homelab.jsonl');
    await expect(button).toBeEnabled();
    await expect(reason).toHaveCount(0);
  } finally {
    // Undo for the other tests of this worker.
    await invokeApi(app, 'settings.update', { patch: { knowledge: { eval: { set: null } } } });
  }
});
