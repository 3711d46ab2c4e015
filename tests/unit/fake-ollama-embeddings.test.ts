/**
 * The fake Ollama's /api/embed and /api/embeddings, driven by the real `ollama` client over real
 * HTTP: deterministic normalised vectors, similarity, dimensions and truncation.
 */
import type { Ollama } from 'ollama';
import { describe, expect, it } from 'vitest';
import { cosineSimilarity, countTokens } from '../fake-ollama';
import { useSharedFake } from '../support/fake-ollama-client';

let ollama: Ollama;
useSharedFake((shared) => {
  ollama = shared.ollama;
});

describe('embeddings', () => {
  it('returns deterministic, L2-normalised vectors of the model dimension', async () => {
    const res = await ollama.embed({ model: 'nomic-embed-text', input: ['disk usage on the storage node', 'disk usage on the storage node'] });
    expect(res.model).toBe('nomic-embed-text');
    expect(res.embeddings).toHaveLength(2);
    const [a, b] = res.embeddings;
    expect(a).toHaveLength(768);
    expect(a).toEqual(b);
    const norm = Math.sqrt((a ?? []).reduce((s, x) => s + x * x, 0));
    expect(norm).toBeCloseTo(1, 6);
    expect(res.prompt_eval_count).toBe(2 * countTokens('disk usage on the storage node'));
    expect(Number.isInteger(res.total_duration)).toBe(true);
    expect(Number.isInteger(res.load_duration)).toBe(true);

    const again = await ollama.embed({ model: 'nomic-embed-text', input: 'disk usage on the storage node' });
    expect(again.embeddings[0]).toEqual(a);
  });

  it('makes texts that share words more similar than unrelated texts', async () => {
    const { embeddings } = await ollama.embed({
      model: 'nomic-embed-text',
      input: ['the backup job failed on the nas', 'backup job failed last night', 'bananas are yellow fruit'],
    });
    const [a, b, c] = embeddings;
    if (!a || !b || !c) throw new Error('missing embeddings');
    expect(cosineSimilarity(a, b)).toBeGreaterThan(0.35); // 3 shared words: 3 / sqrt(9 * 5) ~ 0.45
    expect(cosineSimilarity(a, b)).toBeGreaterThan(cosineSimilarity(a, c) + 0.3);
  });

  it('honours `dimensions`, uses the model embedding length and serves legacy /api/embeddings', async () => {
    const small = await ollama.embed({ model: 'nomic-embed-text', input: 'hello', dimensions: 256 });
    expect(small.embeddings[0]).toHaveLength(256);
    const llama = await ollama.embed({ model: 'llama3.1:8b', input: 'hello' });
    expect(llama.embeddings[0]).toHaveLength(4096);
    const legacy = await ollama.embeddings({ model: 'nomic-embed-text', prompt: 'hello' });
    expect(legacy.embedding).toHaveLength(768);
    const full = await ollama.embed({ model: 'nomic-embed-text', input: 'hello' });
    expect(legacy.embedding).toEqual(full.embeddings[0]);
    const empty = await ollama.embed({ model: 'nomic-embed-text', input: [] });
    expect(empty).toEqual({ model: 'nomic-embed-text', embeddings: [] });
  });

  it('truncates to the context, or answers 400 with truncate:false', async () => {
    const long = Array.from({ length: 3000 }, (_, i) => `w${i}`).join(' ');
    const res = await ollama.embed({ model: 'nomic-embed-text', input: long });
    expect(res.prompt_eval_count).toBe(2048); // nomic-embed-text's trained context
    await expect(ollama.embed({ model: 'nomic-embed-text', input: long, truncate: false })).rejects.toMatchObject({
      name: 'ResponseError',
      status_code: 400,
      message: 'input length exceeds maximum context length',
    });
  });
});
