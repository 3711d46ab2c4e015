/**
 * Every view as a new user meets it, in light and dark at 1440 and 1024 px wide: chat while an
 * answer streams and after it, Observability with the turn's trace, Knowledge during an ingestion
 * and with a source, Memory, Settings with a field error. Each state is checked for boxes that
 * overflow or overlap (layout.ts) before it is photographed.
 *
 * The pictures go to test-results/screenshots/ (and the report); with UPDATE_SCREENSHOTS=1 they
 * replace docs/screenshots/, so a plain `npm test` never changes the tree.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import type { KbSource, MemoryEntry } from '../../core/common';
import { expect, invokeApi, test } from './fixtures';
import { repoRoot } from './harness';
import { layoutProblems } from './layout';

const update = process.env.UPDATE_SCREENSHOTS === '1';
const outDir = update ? join(repoRoot, 'docs', 'screenshots') : join(repoRoot, 'test-results', 'screenshots');

const ANSWER = [
  'Two targets are **down** right now:',
  '',
  '1. `node-exporter` on **pve-2** (`10.0.0.12:9100`): the last scrape timed out 3 minutes ago.',
  '2. `minio` on **nas** (`10.0.0.5:9000`): connection refused.',
  '',
  'Everything else (14 targets) is up. To look at the first one:',
  '',
  '```sh',
  'curl -s http://10.0.0.12:9100/metrics | head',
  'systemctl status prometheus-node-exporter',
  '```',
  '',
  'If the exporter runs, check the firewall on pve-2 for port 9100.',
].join('\n');

async function shoot(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  // Settle: fonts, the frame that draws the charts, and no caret blinking into the picture.
  await page.evaluate(() => document.fonts.ready);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  expect(await layoutProblems(page), `layout of ${name}`).toEqual([]);
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, `${name}.png`);
  await page.screenshot({ path, caret: 'hide', animations: 'disabled' });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

for (const scheme of ['light', 'dark'] as const) {
  for (const width of [1440, 1024]) {
    test(`every view, ${scheme}, ${width} px wide: nothing overflows or overlaps`, async ({ chat, fake, app }, testInfo) => {
      test.setTimeout(120_000);
      const { page } = chat;
      const tag = `${scheme}-${width}`;
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      // Charts read their colours when they are made: open the page again in this scheme.
      await chat.open(app.url);
      await page.getByTestId('new-chat').click();
      await shoot(page, `chat-empty-${tag}`, testInfo);

      // Chat while streaming: the answer grows, the gauges and the rate chart move.
      fake.configure({ tokensPerSecond: 18, replyText: ANSWER });
      await page.getByTestId('example-question').filter({ hasText: 'Prometheus target' }).click();
      const answer = chat.lastAnswer();
      await expect(answer).toHaveAttribute('data-status', 'streaming');
      await expect.poll(async () => (await chat.lastAnswerText().innerText()).length, { timeout: 15_000 }).toBeGreaterThan(120);
      await expect.poll(async () => Number(await page.getByTestId('chart-current').getAttribute('data-points'))).toBeGreaterThan(3);
      await shoot(page, `chat-streaming-${tag}`, testInfo);

      await expect(answer).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
      await expect(answer.getByTestId('stats-line')).toBeVisible();
      await shoot(page, `chat-done-${tag}`, testInfo);

      // Observability with this turn's trace (Grafana is not configured: the in-app waterfall).
      await answer.getByTestId('trace-link').click();
      await expect(page.getByTestId('span-row').first()).toBeVisible();
      await expect.poll(async () => Number(await page.getByTestId('chart-recent').getAttribute('data-points'))).toBeGreaterThanOrEqual(1);
      await page.getByTestId('observability-view').evaluate((el) => el.scrollTo(0, 0));
      await shoot(page, `observability-${tag}`, testInfo);

      // Knowledge: during an ingestion (embedding slowed down), then with the source.
      const dir = await mkdtemp(join(tmpdir(), `bruno-shots-${tag}-`));
      try {
        // Enough chunks for several ingest batches, so the progress moves before the job ends; text
        // unique to this run, so no embedding of an earlier run is reused.
        const FILES = 60;
        for (let i = 0; i < FILES; i++) {
          const sections = Array.from({ length: 10 }, (_, k) => `## Step ${k + 1}\n\nOn node${i} (batch ${dir.slice(-6)}), step ${k + 1}: check the Restic snapshot in MinIO, then the ZFS pool, then start the VM again.\n`);
          await writeFile(join(dir, `runbook-${i}.md`), `# Runbook ${i}\n\n${sections.join('\n')}`);
        }
        await page.getByTestId('tab-knowledge').click();
        // 1 s per embed request: the pipeline overlaps several, and at 200 ms a 60-file job could
        // end between two progress updates (seen in CI: 0/60, then done after 1.9 s).
        fake.configure({ promptEvalMs: 1_000 });
        await page.getByTestId('kb-paths').fill(dir);
        await page.getByTestId('kb-add').click();
        await expect(page.getByTestId('kb-job')).toHaveAttribute('data-state', 'running');
        // Some files in, more to go: the bar has moved and the job still runs.
        await expect(page.getByTestId('kb-progress-text')).toContainText(/ingesting: ([1-9]|[1-5]\d)\/60 files/, { timeout: 15_000 });
        await expect(page.getByTestId('kb-job')).toHaveAttribute('data-state', 'running');
        await shoot(page, `knowledge-ingesting-${tag}`, testInfo);
        fake.configure({ promptEvalMs: 0 });
        await expect(page.getByTestId('kb-job')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
        await expect(page.locator(`[data-testid="kb-source"][data-root="${dir}"]`)).toBeVisible();
        await shoot(page, `knowledge-${tag}`, testInfo);
      } finally {
        fake.configure({ promptEvalMs: 0 });
        const sources = await invokeApi<KbSource[]>(app, 'kb.sources');
        for (const s of sources.filter((x) => x.root === dir)) await invokeApi(app, 'kb.remove', { sourceId: s.id });
        await rm(dir, { recursive: true, force: true });
      }

      // Memory: a fact and an instruction (added once per worker).
      const stored = await invokeApi<MemoryEntry[]>(app, 'memory.list', {});
      const facts = [
        { type: 'semantic', text: 'The NAS (TrueNAS) lives at 10.0.0.5 and holds the MinIO bucket for backups' },
        { type: 'procedural', text: 'Keep answers short and name the host first' },
      ];
      for (const f of facts) if (!stored.some((m) => m.text === f.text)) await invokeApi(app, 'memory.add', f);
      await page.getByTestId('tab-memory').click();
      await expect(page.getByTestId('memory-item').filter({ hasText: 'TrueNAS' })).toBeVisible();
      await shoot(page, `memory-${tag}`, testInfo);

      // Settings with a field error (nothing is saved).
      await page.getByTestId('tab-settings').click();
      await page.getByTestId('setting-grafana-url').fill('not a url');
      await page.getByTestId('settings-save').click();
      await expect(page.getByTestId('setting-grafana-url-error')).toBeVisible();
      // The field in the middle of the view, clear of the sticky save bar.
      await page.getByTestId('setting-grafana-url').evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await shoot(page, `settings-error-${tag}`, testInfo);
    });
  }
}

test('the layout check finds a planted overflow, overlap and cut-off text, and passes a tidy page', async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 600 });
  await page.setContent(`
    <div style="display:flex;gap:8px"><button>One</button><button>Two</button></div>
    <div style="overflow:auto;width:200px"><pre><a href="#x">${'wide '.repeat(80)}</a></pre></div>`);
  expect(await layoutProblems(page)).toEqual([]);

  await page.setContent(`
    <button style="position:absolute;left:10px;top:10px;width:120px">Save</button>
    <button style="position:absolute;left:60px;top:15px;width:120px">Revert</button>
    <h2 style="margin-left:700px;width:300px">Sticks out</h2>
    <button style="width:40px;overflow:hidden;white-space:nowrap">A long label cut off</button>`);
  const problems = await layoutProblems(page);
  expect(problems.some((p) => /"Save" overlaps .*"Revert"/.test(p)), problems.join('\n')).toBe(true);
  expect(problems.some((p) => /h2 "Sticks out" sticks out of the window/.test(p)), problems.join('\n')).toBe(true);
  expect(problems.some((p) => /the page scrolls sideways/.test(p)), problems.join('\n')).toBe(true);
  expect(problems.some((p) => /"A long label cut off" cuts its text/.test(p)), problems.join('\n')).toBe(true);
});
