import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, invokeApi, saveScreenshot, test } from './fixtures';

test('settings: env-pinned fields are read-only with the reason, a bad URL shows its field error, Test connection answers', async ({ chat, app }, testInfo) => {
  const { page } = chat;
  await page.getByTestId('tab-settings').click();
  const ollama = page.getByTestId('setting-ollamaHost');
  await expect(ollama).toBeDisabled();
  await expect(page.locator('[data-path="ollamaHost"]')).toContainText('Set by an environment variable (OLLAMA_HOST)');

  await page.getByTestId('test-ollama').click();
  await expect(page.getByTestId('test-ollama-result')).toContainText('✓');

  const grafana = page.getByTestId('setting-grafana-url');
  await grafana.fill('not a url');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('setting-grafana-url-error')).toHaveText('must be an http(s) URL such as http://127.0.0.1:3000');
  await expect(grafana).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('settings-invalid')).toBeVisible();
  await saveScreenshot(page, 'settings', testInfo);

  // A valid change is saved; the form says what needs a restart.
  await page.getByTestId('setting-grafana-url').fill('');
  await page.getByTestId('setting-alertmanagerUrl').fill('http://127.0.0.1:9');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-saved')).toContainText('Needs a restart: alertmanagerUrl');
  await page.getByTestId('test-alertmanager').click();
  await expect(page.getByTestId('test-alertmanager-result')).toContainText('✗');
  // Undo for the other tests of this worker.
  await invokeApi(app, 'settings.update', { patch: { alertmanagerUrl: null } });
});

test('knowledge base: ingest a folder with progress, per-source stats, re-ingest and remove', async ({ chat }, testInfo) => {
  const { page } = chat;
  const dir = await mkdtemp(join(tmpdir(), 'bruno-kb-e2e-'));
  try {
    for (let i = 0; i < 24; i++) {
      await writeFile(join(dir, `note-${i}.md`), `# Node ${i}\n\nnode${i} runs Proxmox with ZFS mirrors.\n\n## Backups\n\nRestic to MinIO every night at ${i}:00.\n`);
    }
    await page.getByTestId('tab-knowledge').click();
    // Every state the job went through, as drawn.
    await page.getByTestId('knowledge-view').evaluate((root) => {
      const seen: string[] = [];
      (window as unknown as { __kbSeen: string[] }).__kbSeen = seen;
      new MutationObserver(() => {
        const text = root.querySelector('[data-testid="kb-progress-text"]')?.textContent;
        if (text && seen[seen.length - 1] !== text) seen.push(text);
      }).observe(root, { subtree: true, childList: true, characterData: true });
    });
    await page.getByTestId('kb-paths').fill(dir);
    await page.getByTestId('kb-add').click();
    await expect(page.getByTestId('kb-job')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    await expect(page.getByTestId('kb-progress')).toHaveJSProperty('value', 100);
    await expect(page.getByTestId('kb-progress-text')).toContainText('24 ingested');
    const seen = await page.evaluate(() => (window as unknown as { __kbSeen: string[] }).__kbSeen);
    expect(seen.some((s) => /\d+\/24 files/.test(s)), `progress states: ${seen.join(' | ')}`).toBe(true);

    const source = page.locator(`[data-testid="kb-source"][data-root="${dir}"]`);
    await expect(source.getByTestId('kb-source-files')).toHaveText('24');
    await expect(source.getByTestId('kb-source-chunks')).not.toHaveText('0');
    await saveScreenshot(page, 'knowledge', testInfo);

    await source.getByRole('button', { name: `Re-ingest ${dir}` }).click();
    await expect(page.getByTestId('kb-job')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    await expect(page.getByTestId('kb-progress-text')).toContainText('24 unchanged');

    await source.getByTestId('kb-remove').click();
    await source.getByTestId('kb-confirm-remove').click();
    await expect(source).toHaveCount(0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('memory: lists facts and instructions, searches and forgets', async ({ chat, app }, testInfo) => {
  const { page } = chat;
  await invokeApi(app, 'memory.add', { type: 'semantic', text: 'The NAS lives at 10.0.0.5' });
  await invokeApi(app, 'memory.add', { type: 'procedural', text: 'Answer in short bullet points' });
  await page.getByTestId('tab-memory').click();
  const items = page.getByTestId('memory-item');
  await expect(items.filter({ hasText: 'The NAS lives at 10.0.0.5' })).toHaveCount(1);
  await expect(items.filter({ hasText: 'Answer in short bullet points' })).toContainText('instruction');
  await page.getByRole('radio', { name: 'Instructions' }).click();
  await expect(items.filter({ hasText: 'The NAS lives at 10.0.0.5' })).toHaveCount(0);
  await page.getByRole('radio', { name: 'All' }).click();
  await page.getByTestId('memory-search').fill('NAS');
  // Other specs share this server and may have stored facts about a NAS too: the search keeps
  // this fact and drops the instruction, whatever else matches.
  await expect(items.filter({ hasText: 'The NAS lives at 10.0.0.5' })).toHaveCount(1);
  await expect(items.filter({ hasText: 'Answer in short bullet points' })).toHaveCount(0);
  await saveScreenshot(page, 'memory', testInfo);
  await items.filter({ hasText: 'The NAS lives at 10.0.0.5' }).getByTestId('memory-delete').click();
  await expect(items.filter({ hasText: 'The NAS lives at 10.0.0.5' })).toHaveCount(0);
  await page.getByTestId('memory-search').fill('');
  await expect(items.filter({ hasText: 'Answer in short bullet points' })).toHaveCount(1);
});
