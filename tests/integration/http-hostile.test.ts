/**
 * Requests that once took the headless server down or answered 500 (issue 15), against a real
 * HTTP server over loopback: each case fails on the code before its fix.
 */
import { mkfifo } from './fifo';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import type { Core } from '../../core/runtime';
import { startHttpServer, type RunningHttpServer } from '../../core/server';
import { tempDir, testCore } from '../support/core-harness';
import { rawStatus } from '../support/raw-http';

const token = 'test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${token}` };
let fake: FakeOllama;
let core: Core;
let server: RunningHttpServer;
let outside: string;

beforeAll(async () => {
  // Slow enough that a turn is still running when the second request with its id arrives.
  fake = await startFakeOllama({ tokensPerSecond: 20, replyTokens: 60 });
  core = testCore({ OLLAMA_HOST: fake.url });
  const staticDir = tempDir('bruno-static-');
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Agent Bruno</title>');
  outside = tempDir('bruno-outside-');
  writeFileSync(join(outside, 'secret.txt'), 'TOP-SECRET-OUTSIDE');
  symlinkSync(join(outside, 'secret.txt'), join(staticDir, 'link.txt'));
  symlinkSync(outside, join(staticDir, 'linked-dir'));
  mkdirSync(join(staticDir, 'assets'));
  mkfifo(join(staticDir, 'assets', 'pipe.js'));
  server = await startHttpServer({ core, host: '127.0.0.1', port: 0, token, staticDir });
});
afterAll(async () => {
  await server.close();
  await core.close();
  await fake.close();
});

describe('static files', () => {
  it('never follows a symlink out of the UI folder', async () => {
    for (const path of ['/link.txt', '/linked-dir/secret.txt']) {
      const text = await (await fetch(server.url + path)).text();
      expect(text, path).not.toMatch(/TOP-SECRET/);
      expect(text, path).toMatch(/Agent Bruno/);
    }
  });

  it('a FIFO in the UI folder neither hangs the request nor the server', async () => {
    const res = await fetch(server.url + '/assets/pipe.js', { signal: AbortSignal.timeout(3000) });
    expect(await res.text()).toMatch(/Agent Bruno/);
  });

  it('a malformed percent-encoding is a 400, not a 500', async () => {
    expect((await fetch(server.url + '/%E0%A4%A')).status).toBe(400);
    const invoke = await fetch(server.url + '/api/v1/invoke/%E0%A4%A', { method: 'POST', headers: auth, body: '{}' });
    expect(invoke.status).toBe(400);
    expect(((await invoke.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });

  it('a request target that is no URL is a 400 and the server goes on', async () => {
    expect(await rawStatus(server.url, 'GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toBe(400);
    expect((await fetch(server.url + '/api/v1/health', { headers: auth })).status).toBe(200);
  });
});

describe('bodies', () => {
  it('a 100k-deep JSON body is a 400 naming the limit', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const path of ['/api/v1/invoke/settings.update', '/api/v1/chat']) {
      const res = await fetch(server.url + path, { method: 'POST', headers: auth, body: deep });
      expect(res.status, path).toBe(400);
      expect(JSON.stringify(await res.json()), path).toMatch(/nested deeper than 64 levels/);
    }
  });

  it('a body nested 64 deep is still read (the limit is not off by one)', async () => {
    const nested = '{"a":'.repeat(63) + '1' + '}'.repeat(63);
    const res = await fetch(server.url + '/api/v1/invoke/settings.update', { method: 'POST', headers: auth, body: `{"patch":${nested}}` });
    const envelope = (await res.json()) as { ok: boolean; error?: { message: string } };
    expect(JSON.stringify(envelope)).not.toMatch(/nested deeper/);
  });
});

describe('chat', () => {
  it('a second chat with a running turnId gets 409 before any header; the first goes on', async () => {
    const turnId = 'dup-turn-0001';
    const first = await fetch(server.url + '/api/v1/chat', { method: 'POST', headers: auth, body: JSON.stringify({ message: 'hello', turnId }) });
    expect(first.status).toBe(200);
    const second = await fetch(server.url + '/api/v1/chat', { method: 'POST', headers: auth, body: JSON.stringify({ message: 'again', turnId }) });
    expect(second.status).toBe(409);
    expect(((await second.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/already running/) });
    const viaInvoke = await fetch(server.url + '/api/v1/invoke/chat.send', { method: 'POST', headers: auth, body: JSON.stringify({ message: 'x', turnId }) });
    expect(((await viaInvoke.json()) as { error: { code: string } }).error.code).toBe('conflict');
    const lines = (await first.text()).trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines.at(-1)!.type).toBe('done');
  });
});
