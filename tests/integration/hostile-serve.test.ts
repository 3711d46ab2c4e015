/**
 * An outsider with the token against the real `agent-bruno serve` process (issue 15): hostile
 * settings patches, deep and malformed bodies, malformed paths, a backtracking PII pattern and a
 * foreign Host on /metrics. Whatever comes in, the process stays up, /metrics keeps answering and
 * a chat still works. A crash here is what unit tests of each piece could not show.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { assertBuilt, startCliProcess } from '../support/built-app';
import { tempDir } from '../support/core-harness';
import { rawStatus, statusWithHost } from '../support/raw-http';
import { seededRandom } from '../support/seeded-random';

let fake: FakeOllama;
let child: ChildProcess;
let url: string;
let metricsUrl: string;
let dataDir: string;
let exited = false;
const token = 'hostile-test-token-0123456789';
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

beforeAll(async () => {
  assertBuilt();
  fake = await startFakeOllama({ tokensPerSecond: 0, replyText: 'All targets are up.' });
  dataDir = tempDir('bruno-hostile-');
  const started = await startCliProcess(
    ['serve', '--port', '0'],
    { OLLAMA_HOST: fake.url, BRUNO_DATA_DIR: dataDir, BRUNO_API_TOKEN: token, BRUNO_METRICS_ADDR: '127.0.0.1:0' },
    /Prometheus metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)/,
  );
  child = started.child;
  child.once('exit', () => (exited = true));
  metricsUrl = started.match[1]!;
  url = /(http:\/\/127\.0\.0\.1:\d+)\/#token/.exec(started.output())![1]!;
});
afterAll(async () => {
  if (!exited) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  await fake.close();
});

const invoke = (channel: string, body: string) => fetch(`${url}/api/v1/invoke/${channel}`, { method: 'POST', headers: auth, body, signal: AbortSignal.timeout(5000) });

/** Random settings patches with a forbidden key somewhere in a real settings path. */
function hostilePatches(count: number): string[] {
  const random = seededRandom(15);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const paths = [['grafana', 'dashboards'], ['telemetry', 'otlpHeaders'], ['telemetry', 'resourceAttributes'], ['tools', 'policy'], ['server'], ['knowledge'], []];
  const bad = ['__proto__', 'constructor', 'prototype'];
  return Array.from({ length: count }, () => {
    const path = [...pick(paths)];
    path.splice(Math.floor(random() * (path.length + 1)), 0, pick(bad));
    if (random() < 0.5) path.push(pick(bad));
    const leaf = pick(['{"polluted":1}', '"x"', '1', '{"toString":1}', '[]']);
    return path.reduceRight((inner, key) => `{${JSON.stringify(key)}:${inner}}`, leaf);
  });
}

describe('agent-bruno serve under hostile input', () => {
  it('refuses hostile settings patches one by one and saves none of them', async () => {
    for (const patch of hostilePatches(60)) {
      const envelope = (await (await invoke('settings.update', `{"patch":${patch}}`)).json()) as { ok: boolean; result?: { ok: boolean; fieldErrors: Record<string, string> } };
      expect(envelope.ok && envelope.result?.ok, patch).toBe(false);
    }
    let saved = '{}';
    try {
      saved = readFileSync(join(dataDir, 'settings.json'), 'utf8');
    } catch {
      // Nothing saved at all is right too.
    }
    expect(saved).not.toMatch(/__proto__|constructor|prototype|polluted/);
  });

  it('answers deep, malformed and oversized bodies with 400', async () => {
    const bodies = ['['.repeat(100_000) + ']'.repeat(100_000), '{"patch":' + '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_001), '{"patch":', '\u0000', 'x'.repeat(2 * 1024 * 1024)];
    for (const body of bodies) {
      const res = await invoke('settings.update', body);
      expect(res.status, body.slice(0, 20)).toBe(400);
      await res.text();
    }
  });

  it('answers malformed paths and request targets with 400', async () => {
    for (const path of ['/%', '/%E0%A4%A', '/api/v1/invoke/%ZZ', '/assets/%C0%AF']) {
      const res = await fetch(url + path, { method: path.includes('invoke') ? 'POST' : 'GET', headers: auth, body: path.includes('invoke') ? '{}' : null });
      expect([400, 404], path).toContain(res.status);
    }
    expect(await rawStatus(url, 'GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toBe(400);
    expect(await rawStatus(metricsUrl, 'GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toBe(404);
  });

  it('takes a backtracking PII pattern without freezing: the next chat answers at once', async () => {
    const update = (await (await invoke('settings.update', JSON.stringify({ patch: { telemetry: { piiPatterns: [{ name: 'evil', pattern: '(a+)+b' }] } } }))).json()) as { ok: boolean; result: { ok: boolean } };
    expect(update.ok && update.result.ok).toBe(true);
    // The pattern is applied at the next start; a model name of 30 a's then goes through it in every log line.
    const chat = await fetch(`${url}/api/v1/chat`, { method: 'POST', headers: auth, body: JSON.stringify({ message: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', model: 'a'.repeat(30) }), signal: AbortSignal.timeout(5000) });
    expect(chat.status).toBe(200);
    await chat.text();
  });

  it('refuses a foreign Host on /metrics and still serves Prometheus after all of it', async () => {
    expect(await statusWithHost(metricsUrl, 'evil.example:9464')).toBe(421);
    const scrape = await fetch(metricsUrl);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toMatch(/http_requests_total\{[^}]*status_code="400"/);
    const chat = await fetch(`${url}/api/v1/chat`, { method: 'POST', headers: auth, body: JSON.stringify({ message: 'Is any target down?' }) });
    expect(await chat.text()).toMatch(/"type":"done"/);
    expect(exited).toBe(false);
  });
});
