/**
 * The fake Ollama's control side: the /__fake endpoints (configure, request log, reset) and
 * close() ending a stalled stream.
 */
import { Ollama } from 'ollama';
import type { ChatResponse } from 'ollama';
import { describe, expect, it } from 'vitest';
import { defaultReplyTokens, startFakeOllama } from '../fake-ollama';
import type { FakeOllama } from '../fake-ollama';
import { errorOf, USER, useSharedFake } from '../support/fake-ollama-client';

let fake: FakeOllama;
let ollama: Ollama;
useSharedFake((shared) => {
  ({ fake, ollama } = shared);
});

describe('control over HTTP', () => {
  it('configures, logs and resets through /__fake endpoints', async () => {
    const configure = await fetch(`${fake.url}/__fake/configure`, {
      method: 'POST',
      body: JSON.stringify({ replyText: 'Configured from another process.', tokensPerSecond: null }),
    });
    expect(configure.status).toBe(200);
    expect(fake.behaviour.tokensPerSecond).toBe(Infinity);
    const res = await ollama.chat({ model: 'llama3.1:8b', messages: USER, options: { temperature: 0.2 } });
    expect(res.message.content).toBe('Configured from another process.');

    const logged = (await (await fetch(`${fake.url}/__fake/requests`)).json()) as Array<{ method: string; path: string; body: unknown }>;
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      method: 'POST',
      path: '/api/chat',
      body: { model: 'llama3.1:8b', messages: USER, stream: false, options: { temperature: 0.2 } },
    });
    expect(fake.requests).toHaveLength(1);

    const invalid = await fetch(`${fake.url}/__fake/configure`, { method: 'POST', body: '{"failure":{"kind":"http"}}' });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: string }).error).toMatch(/failure.status/);

    expect((await fetch(`${fake.url}/__fake/reset`, { method: 'POST' })).status).toBe(200);
    expect(fake.requests).toHaveLength(0);
    expect(fake.behaviour.replyText).toBeNull();
    expect((await ollama.chat({ model: 'llama3.1:8b', messages: USER })).message.content).toBe(defaultReplyTokens(8).join(''));
  });
});

describe('close()', () => {
  it('resolves while a stalled stream is open and ends that stream', async () => {
    const other = await startFakeOllama({ tokensPerSecond: 0, failure: { kind: 'stall', afterTokens: 1 } });
    const client = new Ollama({ host: other.url });
    const stream = await client.chat({ model: 'llama3.1:8b', messages: USER, stream: true });
    const chunks: ChatResponse[] = [];
    let closedIn = -1;
    let error: unknown;
    try {
      for await (const chunk of stream) {
        chunks.push(chunk);
        const t0 = performance.now();
        await other.close();
        closedIn = performance.now() - t0;
      }
    } catch (e) {
      error = e;
    }
    expect(chunks).toHaveLength(1);
    expect(closedIn).toBeGreaterThanOrEqual(0);
    expect(closedIn).toBeLessThan(500);
    expect(errorOf(error).message).toBe('terminated');
    await expect(client.version()).rejects.toThrow('fetch failed');
  });
});
