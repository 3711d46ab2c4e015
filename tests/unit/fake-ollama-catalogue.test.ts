/**
 * The fake Ollama's catalogue endpoints (/, /api/version, /api/tags, /api/show, /api/ps), driven
 * by the real `ollama` client over real HTTP, and preloaded models.
 */
import { Ollama } from 'ollama';
import { describe, expect, it } from 'vitest';
import { startFakeOllama } from '../fake-ollama';
import type { FakeOllama } from '../fake-ollama';
import { MS, RFC3339_NANO, USER, useSharedFake } from '../support/fake-ollama-client';

let fake: FakeOllama;
let ollama: Ollama;
useSharedFake((shared) => {
  ({ fake, ollama } = shared);
});

describe('catalogue endpoints', () => {
  it('answers /, /api/version (GET and HEAD) and /api/tags', async () => {
    const root = await fetch(`${fake.url}/`);
    expect(await root.text()).toBe('Ollama is running');
    expect(await ollama.version()).toEqual({ version: '0.32.15' });
    const head = await fetch(`${fake.url}/api/version`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');

    const { models } = await ollama.list();
    expect(models.map((m) => m.name)).toEqual(['llama3.1:8b', 'qwen2.5:0.5b', 'nomic-embed-text:latest']);
    const llama = models[0];
    expect(llama?.details).toEqual({
      parent_model: '',
      format: 'gguf',
      family: 'llama',
      families: ['llama'],
      parameter_size: '8.0B',
      quantization_level: 'Q4_K_M',
    });
    expect(llama?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(llama?.size).toBeGreaterThan(0);
    expect(String(llama?.modified_at)).toMatch(RFC3339_NANO);
  });

  it('answers /api/show with model_info, parameters and capabilities', async () => {
    const llama = await ollama.show({ model: 'llama3.1:8b' });
    const info = llama.model_info as unknown as Record<string, unknown>;
    expect(info['general.architecture']).toBe('llama');
    expect(info['llama.context_length']).toBe(131_072);
    expect(llama.capabilities).toEqual(['completion', 'tools']);
    expect(llama.parameters).not.toContain('num_ctx');
    expect(llama.parameters).toContain('stop');

    const nomic = await ollama.show({ model: 'nomic-embed-text' });
    expect(nomic.capabilities).toEqual(['embedding']);
    expect((nomic.model_info as unknown as Record<string, unknown>)['nomic-bert.context_length']).toBe(2048);
    expect(nomic.details.family).toBe('nomic-bert');

    fake.configure({ perModel: { 'qwen2.5:0.5b': { numCtx: 8192 } } });
    const qwen = await ollama.show({ model: 'qwen2.5:0.5b' });
    expect(qwen.parameters).toMatch(/^num_ctx\s+8192$/m);
    expect((qwen.model_info as unknown as Record<string, unknown>)['qwen2.context_length']).toBe(32_768);
  });

  it('lists loaded models in /api/ps with their allocated context', async () => {
    expect((await ollama.ps()).models).toEqual([]);
    await ollama.chat({ model: 'llama3.1:8b', messages: USER });
    let [loaded] = (await ollama.ps()).models;
    expect(loaded?.name).toBe('llama3.1:8b');
    expect((loaded as unknown as { context_length: number }).context_length).toBe(4096);
    expect(loaded?.size_vram).toBe(loaded?.size);
    const expiresIn = Date.parse(String(loaded?.expires_at)) - Date.now();
    expect(expiresIn).toBeGreaterThan(4.9 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(5 * 60_000);

    // Another num_ctx reloads the model (load_duration is paid again) with the new context.
    fake.configure({ loadMs: 100 });
    const reload = await ollama.chat({ model: 'llama3.1:8b', messages: USER, options: { num_ctx: 16_384 } });
    expect(reload.load_duration).toBeGreaterThanOrEqual(100 * MS);
    [loaded] = (await ollama.ps()).models;
    expect((loaded as unknown as { context_length: number }).context_length).toBe(16_384);
    // A context beyond the trained one is capped.
    await ollama.chat({ model: 'qwen2.5:0.5b', messages: USER, options: { num_ctx: 1_000_000 } });
    const qwen = (await ollama.ps()).models.find((m) => m.name === 'qwen2.5:0.5b');
    expect((qwen as unknown as { context_length: number }).context_length).toBe(32_768);
  });

  it('can start with models preloaded', async () => {
    const other = await startFakeOllama({ preload: ['qwen2.5:0.5b'], numCtx: 2048, loadMs: 5000, tokensPerSecond: 0 });
    try {
      const client = new Ollama({ host: other.url });
      const ps = await client.ps();
      expect(ps.models.map((m) => [m.name, (m as unknown as { context_length: number }).context_length])).toEqual([['qwen2.5:0.5b', 2048]]);
      const res = await client.chat({ model: 'qwen2.5:0.5b', messages: USER, options: { num_ctx: 2048 } });
      expect(res.load_duration).toBeLessThan(50 * MS);
    } finally {
      await other.close();
    }
  });
});
