/**
 * The answer judge in the UI: a headless app with BRUNO_JUDGE_SAMPLE_RATE=1 (its own, so the
 * shared one keeps the judge off) judges an answer through the fake's structured outputs after
 * `done`; the scores appear under the answer, and in the app's /metrics.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from '@playwright/test';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { ChatPage, expect, invokeApi } from './fixtures';
import { freePort, startApp, type RunningApp } from './harness';

const test = base.extend<object, { judged: { fake: FakeOllama; app: RunningApp; metricsUrl: string; docs: string } }>({
  judged: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures a fixture needs from this pattern
    async ({}, use) => {
      const fake = await startFakeOllama({ tokensPerSecond: 0, replyText: 'The NAS is backed up nightly at 02:00 [1].' });
      const metricsPort = await freePort();
      const app = await startApp({ ollamaUrl: fake.url, env: { BRUNO_JUDGE_SAMPLE_RATE: '1', BRUNO_METRICS_ADDR: `127.0.0.1:${metricsPort}` } });
      const docs = await mkdtemp(join(tmpdir(), 'bruno-e2e-judge-docs-'));
      await writeFile(join(docs, 'backups.md'), '# Backups\n\nThe NAS is backed up nightly at 02:00 by restic.\n');
      await use({ fake, app, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, docs });
      await app.stop();
      await fake.close();
      await rm(docs, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 30_000 },
  ],
});

test('an answer judged after done shows its scores under the answer; they are in /metrics', async ({ page, judged }) => {
  const { fake, app, metricsUrl, docs } = judged;
  fake.configure({ structured: { values: { faithfulness: 0.25, answer_relevance: 0.9, context_relevance: 0.75, hallucination: true, explanation: 'The source says <b>nightly</b>.' } } });
  await invokeApi(app, 'kb.ingest', { paths: [docs] });
  await expect.poll(async () => (await invokeApi<{ chunks: number }[]>(app, 'kb.sources')).some((s) => s.chunks > 0), { timeout: 20_000 }).toBe(true);

  const chat = new ChatPage(page);
  await chat.open(app.url);
  await chat.ask('When is the NAS backed up?');
  await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'done');
  const scores = chat.lastAnswer().getByTestId('answer-scores');
  await expect(scores).toBeVisible();
  await expect(scores.locator('[data-score="faithfulness"]')).toHaveText('faithful 25%');
  await expect(scores.locator('[data-score="answer_relevance"]')).toHaveText('relevant 90%');
  await expect(scores.locator('[data-score="context_relevance"]')).toHaveText('sources fit 75%');
  await expect(scores.locator('[data-score="hallucination"]')).toHaveText('possible hallucination');
  // The judge's reason is model output: text, never markup.
  await expect(scores).toContainText('The source says <b>nightly</b>.');
  await expect(scores.locator('b')).toHaveCount(0);
  // Exactly one judge request reached Ollama, with a JSON schema as `format`.
  expect(fake.requests.filter((r) => r.path === '/api/chat' && typeof (r.body as { format?: unknown }).format === 'object')).toHaveLength(1);

  const text = await (await fetch(metricsUrl)).text();
  expect(text).toMatch(/^agent_answer_faithfulness_score_sum\{model="llama3\.1:8b"\} 0\.25$/m);
  expect(text).toMatch(/^agent_answer_relevance_score_count\{model="llama3\.1:8b"\} 1$/m);
  expect(text).toMatch(/^agent_answer_hallucination_detected_total\{model="llama3\.1:8b",severity="high"\} 1$/m);
  expect(text).toMatch(/^agent_judge_evaluations_total\{status="ok"\} 1$/m);

  // A judge that sends broken JSON leaves the next answer without scores, and the chat is fine.
  fake.configure({ structured: { mode: 'malformed' } });
  await chat.ask('And the DNS?');
  await expect(chat.lastAnswer()).toHaveAttribute('data-status', 'done');
  await expect.poll(async () => /^agent_judge_evaluations_total\{status="invalid"\} 1$/m.test(await (await fetch(metricsUrl)).text())).toBe(true);
  await expect(chat.lastAnswer().getByTestId('answer-scores')).toHaveCount(0);
  await expect(page.getByTestId('answer-scores')).toHaveCount(1);
});
