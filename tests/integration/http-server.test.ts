import { mkdirSync, writeFileSync } from 'node:fs';
import { statusWithHost } from '../support/raw-http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import type { Core } from '../../core/runtime';
import { rendererCsp } from '../../core/common';
import { startHttpServer, type RunningHttpServer } from '../../core/server';
import { tempDir, testCore } from '../support/core-harness';

const token = 'test-token-0123456789abcdef';
let fake: FakeOllama;
let core: Core;
let server: RunningHttpServer;
const auth = { authorization: `Bearer ${token}` };

function ndjsonLines(text: string): unknown[] {
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

beforeAll(async () => {
  fake = await startFakeOllama({ tokensPerSecond: 0 });
  core = testCore({ OLLAMA_HOST: fake.url });
  const staticDir = tempDir('bruno-static-');
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Agent Bruno</title>');
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  server = await startHttpServer({ core, host: '127.0.0.1', port: 0, token, staticDir });
});
afterAll(async () => {
  await server.close();
  await core.close();
  await fake.close();
});

describe('authentication', () => {
  it.each([
    ['GET', '/api/v1/health'],
    ['POST', '/api/v1/chat'],
    ['POST', '/api/v1/invoke/health.get'],
    ['GET', '/api/v1/events'],
  ])('%s %s is 401 without the token, with a message that says what to do', async (method, path) => {
    const res = await fetch(server.url + path, { method });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('unauthorized');
    expect(body.error.message).toMatch(/Authorization: Bearer/);
    const wrong = await fetch(server.url + path, { method, headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    await wrong.body?.cancel();
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect(await statusWithHost(server.url + '/api/v1/health', 'evil.example:80', auth)).toBe(421);
  });
});

describe('public API', () => {
  it('GET /api/v1/health returns the health state', async () => {
    const res = await fetch(server.url + '/api/v1/health', { headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', ollama: { reachable: true, url: fake.url } });
  });

  it('POST /api/v1/chat streams NDJSON tokens then done with stats', async () => {
    fake.configure({ replyText: 'Disk sda is healthy.' });
    const res = await fetch(server.url + '/api/v1/chat', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ message: 'How is sda?' }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = ndjsonLines(await res.text()) as { type: string; text?: string }[];
    const last = lines.at(-1) as { type: string; conversationId: string; messageId: string; stats: Record<string, unknown> };
    expect(lines.slice(0, -1).every((l) => l.type === 'token')).toBe(true);
    expect(lines.slice(0, -1).map((l) => l.text).join('')).toBe('Disk sda is healthy.');
    expect(last.type).toBe('done');
    expect(last.conversationId).toEqual(expect.any(String));
    expect(last.messageId).toEqual(expect.any(String));
    expect(last.stats).toMatchObject({ model: 'llama3.1:8b', output_tokens: expect.any(Number), input_tokens: expect.any(Number), done_reason: 'stop' });
  });

  it('POST /api/v1/chat ends with an error line when the model is missing', async () => {
    const res = await fetch(server.url + '/api/v1/chat', { method: 'POST', headers: auth, body: JSON.stringify({ message: 'hi', model: 'ghost:7b' }) });
    expect(ndjsonLines(await res.text())).toEqual([{ type: 'error', code: 'model_not_found', message: "Model 'ghost:7b' is not pulled - run `ollama pull ghost:7b`" }]);
  });

  it.each([
    ['{not json', /not valid JSON/],
    ['{"msg":"hi"}', /Invalid chat request: .*message/],
    ['', /Invalid chat request/],
  ])('POST /api/v1/chat with body %j is a 400 that says why', async (body, pattern) => {
    const res = await fetch(server.url + '/api/v1/chat', { method: 'POST', headers: auth, body });
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe('invalid_request');
    expect(json.error.message).toMatch(pattern);
  });

  it('a client that hangs up stops the turn', async () => {
    fake.configure({ tokensPerSecond: 20, replyTokens: 400 });
    const controller = new AbortController();
    const res = await fetch(server.url + '/api/v1/chat', { method: 'POST', headers: auth, body: JSON.stringify({ message: 'long' }), signal: controller.signal });
    const stop = vi.spyOn(core.agent, 'stop');
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await expect.poll(() => stop.mock.calls.length, { timeout: 3000 }).toBe(1);
    // The turn really ended: stopping it again finds nothing running.
    expect(core.agent.stop(stop.mock.calls[0]![0])).toBe(false);
    stop.mockRestore();
  });
});

describe('the contract over HTTP', () => {
  it('invoke returns an envelope; bad input is an error envelope, not a crash', async () => {
    const ok = await fetch(server.url + '/api/v1/invoke/health.get', { method: 'POST', headers: auth });
    expect(await ok.json()).toMatchObject({ ok: true, result: { status: 'ok' } });
    const bad = await fetch(server.url + '/api/v1/invoke/chat.send', { method: 'POST', headers: auth, body: JSON.stringify({ message: '' }) });
    expect(await bad.json()).toEqual({ ok: false, error: { code: 'invalid_request', message: 'Invalid input for chat.send: message: message is empty' } });
    const unknown = await fetch(server.url + '/api/v1/invoke/shell.exec', { method: 'POST', headers: auth, body: '{}' });
    expect(await unknown.json()).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
  });

  it('events stream carries the chat.event batches of a turn sent with invoke', async () => {
    fake.configure({ replyText: 'alpha beta gamma', tokensPerSecond: 0 });
    const controller = new AbortController();
    const res = await fetch(server.url + '/api/v1/events', { headers: auth, signal: controller.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    const first = await reader.read();
    buffer += first.value ?? '';
    expect(buffer).toMatch(/"ping":0/);
    const accepted = await fetch(server.url + '/api/v1/invoke/chat.send', { method: 'POST', headers: auth, body: JSON.stringify({ message: 'go', turnId: 'http-turn-1' }) });
    expect(await accepted.json()).toMatchObject({ ok: true, result: { turnId: 'http-turn-1' } });
    let text = '';
    let done = false;
    while (!done) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      buffer += value;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        const parsed = JSON.parse(line) as { channel?: string; payload?: { turnId: string; events: { type: string; text?: string }[] } };
        if (parsed.channel !== 'chat.event' || parsed.payload?.turnId !== 'http-turn-1') continue;
        for (const e of parsed.payload.events) {
          if (e.type === 'token') text += e.text;
          if (e.type === 'done') done = true;
        }
      }
    }
    controller.abort();
    expect(text).toBe('alpha beta gamma');
  });
});

describe('static UI', () => {
  it('serves the renderer with the CSP and security headers', async () => {
    const res = await fetch(server.url + '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(rendererCsp);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toMatch(/Agent Bruno/);
    const asset = await fetch(server.url + '/assets/app.js');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  it('never serves a file outside its folder', async () => {
    for (const path of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/../../../etc/hostname']) {
      const res = await fetch(server.url + path);
      const text = await res.text();
      expect(text).not.toMatch(/root:/);
      expect(text).toMatch(/Agent Bruno/);
    }
  });
});

describe('RED metrics of the API', () => {
  it('counts requests by route, method and status, with bounded labels', async () => {
    await fetch(server.url + '/api/v1/health');
    await fetch(server.url + '/api/v1/health', { headers: auth });
    await fetch(server.url + '/api/v1/invoke/whatever-' + Math.random(), { method: 'POST', headers: auth, body: '{}' });
    await (await fetch(server.url + '/api/v1/chat', { method: 'POST', headers: auth, body: JSON.stringify({ message: 'hi' }) })).text();
    const { parseExposition, sampleValue } = await import('../support/prom-text');
    const samples = parseExposition(await core.telemetry.registry.metrics());
    expect(sampleValue(samples, 'http_requests_total', { endpoint: '/api/v1/health', method: 'GET', status_code: '401' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'http_requests_total', { endpoint: '/api/v1/health', method: 'GET', status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'http_requests_total', { endpoint: '/api/v1/invoke/:unknown', method: 'POST', status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'http_request_duration_seconds_count', { endpoint: '/api/v1/chat' })).toBeGreaterThanOrEqual(1);
    const endpoints = new Set(samples.filter((s) => s.name === 'http_requests_total').map((s) => s.labels.endpoint));
    for (const e of endpoints) expect(e).toMatch(/^\/(api\/v1\/(health|chat|events|invoke\/[\w.:]+)|api\/:unknown|ui)$/);
  });
});
