/**
 * The fake Ollama's failure modes as ollama-js 0.6.4 sees them over real HTTP (HTTP errors,
 * mid-stream errors, drops, missing done, malformed lines, stalls and aborts), their scoping, and
 * the validation of behaviour options.
 */
import { Ollama } from 'ollama';
import type { ChatResponse } from 'ollama';
import { describe, expect, it, vi } from 'vitest';
import { defaultReplyTokens } from '../fake-ollama';
import type { FakeOllama } from '../fake-ollama';
import { collect, errorOf, MS, USER, useSharedFake } from '../support/fake-ollama-client';

let fake: FakeOllama;
let ollama: Ollama;
useSharedFake((shared) => {
  ({ fake, ollama } = shared);
});

/** Runs a streamed chat, returning the chunks received before an error and the error. */
async function chatUntilError(model = 'llama3.1:8b'): Promise<{ chunks: ChatResponse[]; error: unknown }> {
  const chunks: ChatResponse[] = [];
  try {
    const stream = await ollama.chat({ model, messages: USER, stream: true });
    for await (const chunk of stream) chunks.push(chunk);
  } catch (error) {
    return { chunks, error };
  }
  return { chunks, error: undefined };
}

describe('errors as ollama-js sees them', () => {
  it('answers 404 for unknown models: ResponseError with status_code 404', async () => {
    const expected = { name: 'ResponseError', status_code: 404, message: 'model "nope:1b" not found, try pulling it first' };
    await expect(ollama.chat({ model: 'nope:1b', messages: USER, stream: true })).rejects.toMatchObject(expected);
    await expect(ollama.generate({ model: 'nope:1b', prompt: 'hi' })).rejects.toMatchObject(expected);
    await expect(ollama.embed({ model: 'nope:1b', input: 'hi' })).rejects.toMatchObject(expected);
    await expect(ollama.show({ model: 'nope:1b' })).rejects.toMatchObject(expected);
  });

  it('answers 400 for a missing model, invalid JSON and chat with an embedding model', async () => {
    await expect(ollama.chat({ model: '', messages: USER })).rejects.toMatchObject({ status_code: 400, message: 'model is required' });
    await expect(ollama.chat({ model: 'nomic-embed-text', messages: USER })).rejects.toMatchObject({
      status_code: 400,
      message: '"nomic-embed-text" does not support chat',
    });
    const bad = await fetch(`${fake.url}/api/chat`, { method: 'POST', body: '{"model": "llama3.1:8b",' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'unexpected EOF' });
    const empty = await fetch(`${fake.url}/api/generate`, { method: 'POST' });
    expect(await empty.json()).toEqual({ error: 'missing request body' });
  });

  it('fails before streaming with a configured HTTP status', async () => {
    for (const [status, message] of [
      [500, 'model runner has unexpectedly stopped'],
      [503, 'server busy'],
      [429, 'slow down'],
    ] as const) {
      fake.configure({ failure: { kind: 'http', status, message } });
      const { chunks, error } = await chatUntilError();
      expect(chunks).toEqual([]);
      const err = errorOf(error);
      expect(err.name).toBe('ResponseError');
      expect(err.status_code).toBe(status);
      expect(err.message).toBe(message);
    }
  });

  it('throws a plain Error with the message of a mid-stream {"error"} line', async () => {
    fake.configure({ failure: { kind: 'midstream-error', afterTokens: 5, message: 'CUDA error: out of memory' } });
    const { chunks, error } = await chatUntilError();
    expect(chunks).toHaveLength(5);
    const err = errorOf(error);
    expect(err.name).toBe('Error');
    expect(err.message).toBe('CUDA error: out of memory');
    expect(err.status_code).toBeUndefined();
    // stream:false turns it into a 500.
    await expect(ollama.chat({ model: 'llama3.1:8b', messages: USER })).rejects.toMatchObject({
      name: 'ResponseError',
      status_code: 500,
      message: 'CUDA error: out of memory',
    });
  });

  it('surfaces a dropped connection as TypeError "terminated" (or "fetch failed" before headers)', async () => {
    fake.configure({ failure: { kind: 'drop', afterTokens: 3 } });
    const mid = await chatUntilError();
    expect(mid.chunks.map((c) => c.message.content)).toEqual(defaultReplyTokens(3));
    const err = errorOf(mid.error);
    expect(err.name).toBe('TypeError');
    expect(err.message).toBe('terminated');
    expect((err.cause as { code?: string }).code).toBe('UND_ERR_SOCKET');

    fake.configure({ failure: { kind: 'drop', afterTokens: 0 } });
    const early = await chatUntilError();
    expect(early.chunks).toEqual([]);
    expect(errorOf(early.error).message).toBe('fetch failed');
  });

  it('throws "Did not receive done or success response in stream." when the stream ends without done', async () => {
    fake.configure({ failure: { kind: 'no-done', afterTokens: 4 } });
    const { chunks, error } = await chatUntilError();
    expect(chunks).toHaveLength(4);
    expect(errorOf(error).message).toBe('Did not receive done or success response in stream.');
  });

  it('skips a malformed line with console.warn and completes the stream', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      fake.configure({ failure: { kind: 'malformed', afterTokens: 2, line: 'this is not json' } });
      const { chunks, error } = await chatUntilError();
      expect(error).toBeUndefined();
      expect(chunks).toHaveLength(9);
      expect(chunks.slice(0, -1).map((c) => c.message.content)).toEqual(defaultReplyTokens(8));
      expect(chunks.at(-1)?.eval_count).toBe(8);
      expect(warn).toHaveBeenCalledWith('invalid json: ', 'this is not json');
      // stream:false gets a body that is not JSON at all: response.json() throws.
      await expect(ollama.chat({ model: 'llama3.1:8b', messages: USER })).rejects.toBeInstanceOf(SyntaxError);
    } finally {
      warn.mockRestore();
    }
  });

  it('lets the client abort a stalled stream with iterator.abort() (AbortError)', async () => {
    fake.configure({ failure: { kind: 'stall', afterTokens: 2 } });
    const stream = await ollama.chat({ model: 'llama3.1:8b', messages: USER, stream: true });
    const chunks: ChatResponse[] = [];
    const t0 = performance.now();
    let error: unknown;
    try {
      for await (const chunk of stream) {
        chunks.push(chunk);
        if (chunks.length === 2) setTimeout(() => stream.abort(), 150);
      }
    } catch (e) {
      error = e;
    }
    expect(chunks).toHaveLength(2);
    expect(errorOf(error).name).toBe('AbortError');
    expect(performance.now() - t0).toBeLessThan(1000);
    // The fake is not stuck: the next request works.
    fake.configure({ failure: null });
    expect((await ollama.chat({ model: 'llama3.1:8b', messages: USER })).done).toBe(true);
  });

  it('cannot abort through ollama-js before headers arrive; a custom fetch signal can', async () => {
    // ollama.abort() only knows streams whose headers have arrived: it does not cancel a pending load.
    fake.configure({ loadMs: 300 });
    const t0 = performance.now();
    const pending = ollama.chat({ model: 'llama3.1:8b', messages: USER, stream: true });
    setTimeout(() => ollama.abort(), 50);
    const chunks = await collect(await pending);
    expect(chunks).toHaveLength(9);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(300);

    fake.configure({ loadMs: 60_000 });
    const controller = new AbortController();
    const client = new Ollama({
      host: fake.url,
      fetch: (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal }),
    });
    setTimeout(() => controller.abort(), 100);
    const t1 = performance.now();
    await expect(client.chat({ model: 'qwen2.5:0.5b', messages: USER, stream: true })).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - t1).toBeLessThan(1000);
  });

  it('applies a `once` failure to one request only', async () => {
    fake.configure({ failure: { kind: 'http', status: 500, message: 'first call fails', once: true } });
    await expect(ollama.chat({ model: 'llama3.1:8b', messages: USER })).rejects.toMatchObject({ status_code: 500 });
    expect(fake.behaviour.failure).toBeNull();
    expect((await ollama.chat({ model: 'llama3.1:8b', messages: USER })).done).toBe(true);

    fake.configure({ perModel: { 'qwen2.5:0.5b': { failure: { kind: 'no-done', afterTokens: 1, once: true } } } });
    expect(errorOf((await chatUntilError('qwen2.5:0.5b')).error).message).toContain('Did not receive done');
    expect((await chatUntilError('qwen2.5:0.5b')).error).toBeUndefined();
  });

  it('scopes failures and speed per model and per endpoint', async () => {
    fake.configure({
      tokensPerSecond: 0,
      perModel: { 'qwen2.5:0.5b': { failure: { kind: 'http', status: 503 }, tokensPerSecond: 40, replyTokens: 4 } },
    });
    await expect(ollama.chat({ model: 'qwen2.5:0.5b', messages: USER })).rejects.toMatchObject({ status_code: 503 });
    expect((await ollama.chat({ model: 'llama3.1:8b', messages: USER })).done).toBe(true);

    fake.configure({ perModel: { 'qwen2.5:0.5b': { failure: null } } });
    const slow = await ollama.chat({ model: 'qwen2.5:0.5b', messages: USER });
    expect(slow.eval_duration).toBeGreaterThanOrEqual(99 * MS); // 4 tokens at 40/s

    fake.configure({ failure: { kind: 'http', status: 500, endpoints: ['embed'] } });
    expect((await ollama.chat({ model: 'llama3.1:8b', messages: USER })).done).toBe(true);
    await expect(ollama.embed({ model: 'nomic-embed-text', input: 'x' })).rejects.toMatchObject({ status_code: 500 });
  });

  it('rejects unknown or ill-typed behaviour options', () => {
    expect(() => fake.configure({ tokensPerSecnd: 3 } as never)).toThrow(/unknown behaviour option 'tokensPerSecnd'/);
    expect(() => fake.configure({ failure: { kind: 'explode' } } as never)).toThrow(/failure.kind/);
    expect(() => fake.configure({ replyTokens: -1 })).toThrow(/replyTokens/);
  });
});
