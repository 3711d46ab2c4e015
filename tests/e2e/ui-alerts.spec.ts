import { createServer, type Server } from 'node:http';
import { ChatPage, expect, saveScreenshot, test } from './fixtures';
import { startApp } from './harness';

/** A Prometheus that answers /api/v1/alerts with one firing alert (and is "ready" otherwise). */
async function fakePrometheus(): Promise<{ url: string; server: Server }> {
  const activeAt = new Date(Date.now() - 7 * 60_000).toISOString();
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/api/v1/alerts')) {
      res.end(
        JSON.stringify({
          status: 'success',
          data: {
            alerts: [
              {
                labels: { alertname: 'OllamaSlowTokenGeneration', severity: 'warning', model: 'llama3.1:8b' },
                annotations: { summary: 'Ollama generates under 5 tokens/s', description: 'p50 tokens/s for llama3.1:8b is 3.1' },
                state: 'firing',
                activeAt,
                value: '3.1',
              },
              {
                labels: { alertname: 'OllamaHighTTFT', severity: 'critical' },
                annotations: { summary: 'Time to first token above 10 s' },
                state: 'pending',
                activeAt,
                value: '12',
              },
            ],
          },
        }),
      );
    } else if (req.url?.startsWith('/api/v1/rules')) {
      res.end(JSON.stringify({ status: 'success', data: { groups: [] } }));
    } else {
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, server };
}

test('alerts the core reads from Prometheus appear with severity, summary, since and source', async ({ page, fake }, testInfo) => {
  fake.reset();
  const prometheus = await fakePrometheus();
  const app = await startApp({ ollamaUrl: fake.url, env: { PROMETHEUS_URL: prometheus.url } });
  try {
    const chat = new ChatPage(page);
    await chat.open(app.url);
    await expect(page.getByTestId('firing-badge')).toHaveText('1');
    // The health strip catches up at the latest with the next health probe (15 s).
    await expect(page.getByTestId('health-prometheus')).toHaveAttribute('data-tone', 'ok', { timeout: 20_000 });
    await page.getByTestId('tab-observability').click();
    const firing = page.locator('[data-testid="alert-item"][data-name="OllamaSlowTokenGeneration"]');
    await expect(firing).toHaveAttribute('data-state', 'firing');
    await expect(firing).toContainText('warning');
    await expect(firing).toContainText('Ollama generates under 5 tokens/s');
    await expect(firing).toContainText('since 7 min ago');
    await expect(firing).toContainText('prometheus');
    const pending = page.locator('[data-testid="alert-item"][data-name="OllamaHighTTFT"]');
    await expect(pending).toHaveAttribute('data-state', 'pending');
    // Firing first.
    await expect(page.getByTestId('alert-item').first()).toHaveAttribute('data-name', 'OllamaSlowTokenGeneration');
    await saveScreenshot(page, 'alerts', testInfo);
  } finally {
    await app.stop();
    await new Promise((resolve) => prometheus.server.close(resolve));
  }
});
