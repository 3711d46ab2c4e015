/**
 * The fake Ollama's streamed chat, stream:false and /api/generate, driven by the real `ollama`
 * client (ollama-js 0.6.4) over real HTTP: tokens, pacing, thinking, num_predict and the final
 * chunk's metrics.
 */
import { request as httpRequest } from 'node:http';
import type { Ollama } from 'ollama';
import { describe, expect, it } from 'vitest';
import {
  countMessageTokens,
  countTokens,
  defaultReplyTokens,
  defaultThinkingTokens,
  } from '../fake-ollama';
import type { FakeOllama } from '../fake-ollama';
import { collect, MS, RFC3339_NANO, USER, useSharedFake } from '../support/fake-ollama-client';

let fake: FakeOllama;
let ollama: Ollama;
useSharedFake((shared) => {
  ({ fake, ollama } = shared);
});

describe('streamed chat', () => {
  it('streams the configured reply token by token, then a final chunk with Ollama metrics', async () => {
    fake.configure({ tokensPerSecond: 100, replyTokens: 30, loadMs: 150, promptEvalMs: 60 });
    const t0 = performance.now();
    const timed = await collect(await ollama.chat({ model: 'llama3.1:8b', messages: USER, stream: true }));
    const wall = performance.now() - t0;

    const chunks = timed.map((t) => t.chunk);
    const tokens = chunks.slice(0, -1);
    const final = chunks.at(-1);
    expect(tokens.map((c) => c.message.content)).toEqual(defaultReplyTokens(30));
    expect(tokens.map((c) => c.message.content).join('')).toBe(defaultReplyTokens(30).join(''));
    for (const c of tokens) {
      expect(c.done).toBe(false);
      expect(c.model).toBe('llama3.1:8b');
      expect(c.message.role).toBe('assistant');
      expect(String(c.created_at)).toMatch(RFC3339_NANO);
      expect(c).not.toHaveProperty('eval_count');
    }

    expect(final).toBeDefined();
    if (!final) return;
    expect(final.done).toBe(true);
    expect(final.done_reason).toBe('stop');
    expect(final.message).toEqual({ role: 'assistant', content: '' });
    expect(final.eval_count).toBe(30);
    expect(final.prompt_eval_count).toBe(countMessageTokens(USER));
    expect(final.prompt_eval_count).toBe(7); // "How is my homelab doing today ?"
    for (const key of ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration'] as const) {
      expect(Number.isInteger(final[key]), key).toBe(true);
    }
    expect(final.load_duration).toBeGreaterThanOrEqual(150 * MS);
    expect(final.load_duration).toBeLessThan(250 * MS);
    expect(final.prompt_eval_duration).toBeGreaterThanOrEqual(60 * MS);
    expect(final.prompt_eval_duration).toBeLessThan(120 * MS);
    // eval_duration covers generating all 30 tokens at 100/s = 300 ms.
    expect(final.eval_duration).toBeGreaterThanOrEqual(295 * MS);
    expect(final.eval_duration).toBeLessThan(450 * MS);
    const serverTps = (final.eval_count / final.eval_duration) * 1e9;
    expect(serverTps).toBeGreaterThan(66);
    expect(serverTps).toBeLessThanOrEqual(101.7);
    expect(final.total_duration).toBeGreaterThanOrEqual(final.load_duration + final.prompt_eval_duration + final.eval_duration);
    expect(final.total_duration).toBeLessThan(wall * MS);

    // What a client measures: time to first token ~ load + prompt eval + one token; 100 tokens/s after.
    const first = timed[0];
    const last = timed[timed.length - 2];
    if (!first || !last) throw new Error('no chunks');
    expect(first.at - t0).toBeGreaterThanOrEqual(150 + 60);
    const clientTps = (timed.length - 2) / ((last.at - first.at) / 1000);
    expect(clientTps).toBeGreaterThan(70);
    expect(clientTps).toBeLessThan(130);
  });

  it('reports a tiny load_duration once the model is loaded', async () => {
    fake.configure({ loadMs: 200, replyTokens: 3 });
    const cold = (await ollama.chat({ model: 'qwen2.5:0.5b', messages: USER })).load_duration;
    const warm = (await ollama.chat({ model: 'qwen2.5:0.5b', messages: USER })).load_duration;
    expect(cold).toBeGreaterThanOrEqual(200 * MS);
    expect(warm).toBeGreaterThan(0);
    expect(warm).toBeLessThan(20 * MS);
  });

  it('keeps 2000 tokens/s exact on average, still one token per NDJSON line', async () => {
    fake.configure({ tokensPerSecond: 2000, replyTokens: 1000 });
    const t0 = performance.now();
    const timed = await collect(await ollama.chat({ model: 'llama3.1:8b', messages: USER, stream: true }));
    const wall = performance.now() - t0;
    const final = timed.at(-1)?.chunk;
    expect(timed).toHaveLength(1001);
    expect(timed.slice(0, -1).map((t) => t.chunk.message.content)).toEqual(defaultReplyTokens(1000));
    expect(final?.eval_count).toBe(1000);
    const serverTps = ((final?.eval_count ?? 0) / (final?.eval_duration ?? 1)) * 1e9;
    expect(serverTps).toBeGreaterThan(1500);
    expect(serverTps).toBeLessThanOrEqual(2001);
    expect(wall).toBeGreaterThanOrEqual(499);
    expect(wall).toBeLessThan(1500);
  });

  it('streams as fast as possible with tokensPerSecond 0', async () => {
    fake.configure({ tokensPerSecond: 0, replyTokens: 20_000 });
    const t0 = performance.now();
    const timed = await collect(await ollama.chat({ model: 'llama3.1:8b', messages: USER, stream: true }));
    expect(timed).toHaveLength(20_001);
    expect(timed.at(-1)?.chunk.eval_count).toBe(20_000);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('respects backpressure and stays responsive while a client does not read', async () => {
    fake.configure({ tokensPerSecond: Infinity, replyTokens: 1_000_000 });
    const body = JSON.stringify({ model: 'llama3.1:8b', messages: USER, stream: true });
    let received = 0;
    const slowRequest = httpRequest(`${fake.url}/api/chat`, { method: 'POST' }, (res) => {
      res.once('data', (chunk: Buffer) => {
        received += chunk.length;
        res.pause(); // stop reading: the server must wait for 'drain', not buffer a million lines
      });
    });
    slowRequest.on('error', () => undefined);
    slowRequest.end(body);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    expect(await ollama.version()).toEqual({ version: '0.32.15' });
    expect(performance.now() - t0).toBeLessThan(200);
    expect(received).toBeGreaterThan(0);
    slowRequest.destroy();
  });

  it('sends a fixed replyText split on word boundaries, with thinking chunks first', async () => {
    const replyText = 'Hello there,\nhomelab operator!  All good.';
    fake.configure({ replyText, thinking: 3 });
    const chunks = (await collect(await ollama.chat({ model: 'llama3.1:8b', messages: USER, stream: true }))).map((t) => t.chunk);
    const thinking = chunks.slice(0, 3);
    const content = chunks.slice(3, -1);
    expect(thinking.map((c) => c.message.thinking)).toEqual(defaultThinkingTokens(3));
    expect(thinking.every((c) => c.message.content === '')).toBe(true);
    expect(content.map((c) => c.message.content)).toEqual(['Hello', ' there,', '\nhomelab', ' operator!', '  All', ' good.']);
    expect(content.map((c) => c.message.content).join('')).toBe(replyText);
    expect(content.every((c) => c.message.thinking === undefined)).toBe(true);
    expect(chunks.at(-1)?.eval_count).toBe(3 + 6);

    const noThink = await ollama.chat({ model: 'llama3.1:8b', messages: USER, think: false });
    expect(noThink.message.thinking).toBeUndefined();
    expect(noThink.message.content).toBe(replyText);
    expect(noThink.eval_count).toBe(6);
  });

  it('cuts the reply at options.num_predict with done_reason "length"', async () => {
    fake.configure({ replyTokens: 20 });
    const chunks = (
      await collect(await ollama.chat({ model: 'llama3.1:8b', messages: USER, stream: true, options: { num_predict: 5 } }))
    ).map((t) => t.chunk);
    expect(chunks).toHaveLength(6);
    expect(chunks.at(-1)?.done_reason).toBe('length');
    expect(chunks.at(-1)?.eval_count).toBe(5);
    const enough = await ollama.chat({ model: 'llama3.1:8b', messages: USER, options: { num_predict: 50 } });
    expect(enough.done_reason).toBe('stop');
    expect(enough.eval_count).toBe(20);
  });

});

describe('stream:false and /api/generate', () => {
  it('answers stream:false chat with one JSON object holding the whole message', async () => {
    fake.configure({ replyTokens: 12, tokensPerSecond: 400 });
    const res = await ollama.chat({ model: 'llama3.1:8b', messages: USER, stream: false });
    expect(res.message).toEqual({ role: 'assistant', content: defaultReplyTokens(12).join('') });
    expect(res.done).toBe(true);
    expect(res.done_reason).toBe('stop');
    expect(res.eval_count).toBe(12);
    expect(res.eval_duration).toBeGreaterThanOrEqual(29 * MS);
    expect(res.prompt_eval_count).toBe(7);
    const raw = await fetch(`${fake.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.1:8b', messages: USER, stream: false }),
    });
    expect(raw.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const streamed = await fetch(`${fake.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'llama3.1:8b', messages: USER }) });
    expect(streamed.headers.get('content-type')).toBe('application/x-ndjson');
    expect((await streamed.text()).trim().split('\n')).toHaveLength(13);
  });

  it('streams /api/generate text in `response`, with context and metrics on the final chunk', async () => {
    const stream = await ollama.generate({ model: 'qwen2.5:0.5b', prompt: 'Why is the sky blue?', system: 'Be brief.', stream: true });
    const chunks = (await collect(stream)).map((t) => t.chunk);
    expect(chunks.slice(0, -1).map((c) => c.response)).toEqual(defaultReplyTokens(8));
    const final = chunks.at(-1);
    expect(final?.done).toBe(true);
    expect(final?.response).toBe('');
    expect(final?.done_reason).toBe('stop');
    expect(final?.prompt_eval_count).toBe(countTokens('Be brief.') + countTokens('Why is the sky blue?'));
    expect(final?.eval_count).toBe(8);
    expect(Array.isArray(final?.context)).toBe(true);

    const whole = await ollama.generate({ model: 'qwen2.5:0.5b', prompt: 'Again', context: final?.context ?? [] });
    expect(whole.response).toBe(defaultReplyTokens(8).join(''));
    expect(whole.prompt_eval_count).toBe((final?.context.length ?? 0) + 1);
  });

  it('answers an empty request by loading (or with keep_alive 0 unloading) the model', async () => {
    const load = await ollama.chat({ model: 'qwen2.5:0.5b', messages: [] });
    expect(load).toMatchObject({ done: true, done_reason: 'load', message: { role: 'assistant', content: '' } });
    expect((await ollama.ps()).models.map((m) => m.name)).toEqual(['qwen2.5:0.5b']);
    const unload = await ollama.generate({ model: 'qwen2.5:0.5b', prompt: '', keep_alive: 0 });
    expect(unload).toMatchObject({ done: true, done_reason: 'unload', response: '' });
    expect((await ollama.ps()).models).toEqual([]);
  });
});
