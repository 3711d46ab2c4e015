/**
 * The fake Ollama's /api/embed and /api/embeddings, driven by the real `ollama` client over real
 * HTTP: deterministic normalised vectors, similarity, dimensions and truncation; and its
 * /v1/embeddings (Ollama's OpenAI-compatible route) over plain fetch: the same vectors as JSON
 * numbers or base64 float32, OpenAI-shaped errors, and the older servers it can play.
 */
import type { Ollama } from 'ollama';
import { describe, expect, it } from 'vitest';
import { cosineSimilarity, countTokens, type FakeOllama } from '../fake-ollama';
import { useSharedFake } from '../support/fake-ollama-client';

let ollama: Ollama;
let fake: FakeOllama;
useSharedFake((shared) => {
  ollama = shared.ollama;
  fake = shared.fake;
});

async function postV1(body: unknown): Promise<{ status: number; type: string; json: unknown; text: string }> {
  const res = await fetch(`${fake.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON (the `absent` route's Go 404 page): the text is checked instead.
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', json, text };
}

/** Little-endian float32 bytes from base64, as a client decodes them. */
const float32Of = (b64: string) => {
  const bytes = Buffer.from(b64, 'base64');
  return Array.from(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
};

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

describe('/v1/embeddings (the OpenAI-compatible route)', () => {
  const input = ['disk usage on the storage node', 'zfs scrub weekly'];

  it('answers the /api/embed vectors as a list, in JSON numbers or base64 little-endian float32', async () => {
    const native = await ollama.embed({ model: 'nomic-embed-text', input });
    const floats = await postV1({ model: 'nomic-embed-text', input });
    expect(floats.status).toBe(200);
    expect(floats.type).toBe('application/json; charset=utf-8');
    expect(floats.json).toEqual({
      object: 'list',
      data: native.embeddings.map((embedding, index) => ({ object: 'embedding', embedding, index })),
      model: 'nomic-embed-text',
      usage: { prompt_tokens: native.prompt_eval_count, total_tokens: native.prompt_eval_count },
    });
    const b64 = (await postV1({ model: 'nomic-embed-text', input, encoding_format: 'base64' })).json as { data: { embedding: string; index: number }[] };
    expect(b64.data.map((d) => d.index)).toEqual([0, 1]);
    for (const [i, d] of b64.data.entries()) {
      expect(typeof d.embedding).toBe('string');
      expect(float32Of(d.embedding)).toEqual(Array.from(Float32Array.from(native.embeddings[i]!)));
    }
    const small = (await postV1({ model: 'nomic-embed-text', input: 'hello', dimensions: 256, encoding_format: 'base64' })).json as { data: { embedding: string }[] };
    expect(float32Of(small.data[0]!.embedding)).toHaveLength(256);
  });

  it('errors are OpenAI-shaped, and the native failures apply', async () => {
    const notPulled = await postV1({ model: 'nope:1b', input });
    expect(notPulled).toMatchObject({ status: 404, json: { error: { message: 'model "nope:1b" not found, try pulling it first', type: 'not_found_error', param: null, code: null } } });
    expect((await postV1({ model: 'nomic-embed-text', input: [] })).json).toEqual({ error: { message: 'invalid input', type: 'invalid_request_error', param: null, code: null } });
    expect((await postV1({ model: 'nomic-embed-text' })).status).toBe(400);
    expect((await postV1({ model: 'nomic-embed-text', input, encoding_format: 'hex' })).json).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining("'encoding_format' = hex") } });
    expect((await postV1('{"model":')).status).toBe(400);
    await fake.configure({ failure: { kind: 'http', status: 503, message: 'server busy', once: true, endpoints: ['embed'] } });
    expect(await postV1({ model: 'nomic-embed-text', input })).toMatchObject({ status: 503, json: { error: { message: 'server busy', type: 'api_error' } } });
    expect((await postV1({ model: 'nomic-embed-text', input })).status).toBe(200);
  });

  it('plays older servers: one that ignores encoding_format, and one without the route', async () => {
    await fake.configure({ openAiEmbeddings: 'float' });
    const floats = (await postV1({ model: 'nomic-embed-text', input, encoding_format: 'base64' })).json as { data: { embedding: unknown }[] };
    expect(Array.isArray(floats.data[0]!.embedding)).toBe(true);
    await fake.configure({ openAiEmbeddings: 'absent' });
    expect(await postV1({ model: 'nomic-embed-text', input })).toMatchObject({ status: 404, text: '404 page not found' });
    expect(() => fake.configure({ openAiEmbeddings: 'sometimes' as never })).toThrow('openAiEmbeddings: expected base64|float|absent');
  });
});
