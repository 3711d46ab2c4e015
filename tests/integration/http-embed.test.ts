/**
 * Embedding over node:http (core/llm/http-embed.ts) held to ollama-js's `/api/embed` output: the
 * same vectors, the same error shapes (which classifyOllamaError reads), against the wire-faithful
 * fake Ollama and small servers that misbehave; and a batch's route, `/v1/embeddings` in base64,
 * with its fallbacks to `/api/embed` for older servers, proxies and hostile answers.
 */
import type { Server, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyOllamaError, createOllamaClient } from '../../core/llm';
import { float32Base64, startFakeOllama, type FakeOllama } from '../fake-ollama';
import { answerServer } from '../support/answer-server';
import { closedPort } from '../support/core-harness';

let fake: FakeOllama;
const servers: Server[] = [];
beforeAll(async () => {
  fake = await startFakeOllama({ tokensPerSecond: 0 });
});
afterAll(async () => {
  await fake.close();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A server whose answer each test sets (answer-server.ts), closed after all. */
async function server(answer: (res: ServerResponse, path: string) => void): Promise<{ url: string; connections: () => number }> {
  const s = await answerServer(answer);
  servers.push(s.server);
  return s;
}

/** The same client twice: over node:http (no fetch given) and through ollama-js (a fetch given). */
const both = (host: string) => ({ http: createOllamaClient({ host }), fetch: createOllamaClient({ host, fetch: (...a) => globalThis.fetch(...a) }) });

async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number; cause?: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as Error & { status_code?: number; cause?: { code?: string } };
    return { name: e.name, message: e.message, ...(e.status_code !== undefined ? { status: e.status_code } : {}), ...(e.cause?.code ? { cause: e.cause.code } : {}) };
  }
  throw new Error('expected a rejection');
}

describe('/api/embed over node:http', () => {
  it('answers a single text as ollama-js does, and sends the same body', async () => {
    const { http, fetch } = both(fake.url);
    const input = ['k\u00fcche \u{1F642}'];
    fake.reset();
    const a = await http.embed('nomic-embed-text', input);
    const b = await fetch.embed('nomic-embed-text', input);
    expect(a.embeddings).toEqual(b.embeddings);
    expect(a.model).toBe(b.model);
    expect(a.prompt_eval_count).toBe(b.prompt_eval_count);
    expect(a.embeddings).toHaveLength(1);
    expect(a.embeddings[0]).toHaveLength(768);
    const sent = fake.requests.filter((r) => r.path === '/api/embed').map((r) => r.body);
    expect(sent).toEqual([{ model: 'nomic-embed-text', input }, { model: 'nomic-embed-text', input }]);
  });

  it('errors have ollama-js\'s shapes: a model not pulled, a 500 with text, an unreachable server', async () => {
    const { http, fetch } = both(fake.url);
    const notPulled = await failure(http.embed('nope:1b', ['x']));
    expect(notPulled).toEqual(await failure(fetch.embed('nope:1b', ['x'])));
    expect(notPulled.status).toBe(404);
    const plain = await server((res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('out of memory'));
    const p = both(plain.url);
    expect(await failure(p.http.embed('m', ['x']))).toEqual(await failure(p.fetch.embed('m', ['x'])));
    const port = await closedPort();
    const gone = both(`http://127.0.0.1:${port}`);
    const refused = await failure(gone.http.embed('m', ['x']));
    expect(refused).toEqual(await failure(gone.fetch.embed('m', ['x'])));
    expect(refused).toMatchObject({ name: 'TypeError', message: 'fetch failed', cause: 'ECONNREFUSED' });
    expect(classifyOllamaError(await gone.http.embed('m', ['x']).catch((e: unknown) => e), { host: gone.http.host, model: 'm', chunksReceived: 0 }).code).toBe('ollama_unreachable');
  });

  it('an answer cut midway is "terminated", as through fetch; an abort rejects with its reason', async () => {
    const cut = await server((res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
      res.write('{"model":"m","embeddings":[[0.1,');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const c = both(cut.url);
    const viaHttp = await failure(c.http.embed('m', ['x']));
    expect(viaHttp).toMatchObject({ name: 'TypeError', message: 'terminated' });
    expect(viaHttp.message).toBe((await failure(c.fetch.embed('m', ['x']))).message);

    const hang = await server(() => {});
    const controller = new AbortController();
    const reason = new Error('the ingestion was cancelled');
    setTimeout(() => controller.abort(reason), 30);
    await expect(createOllamaClient({ host: hang.url }).embed('m', ['x'], { signal: controller.signal })).rejects.toBe(reason);
  });

  it('batch after batch goes over one kept-alive connection', async () => {
    const ok = await server((res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"model":"m","embeddings":[[1,0]]}'));
    const client = createOllamaClient({ host: ok.url });
    for (let i = 0; i < 5; i++) expect((await client.embed('m', [`t${i}`])).embeddings).toEqual([[1, 0]]);
    expect(ok.connections()).toBe(1);
  });
});

const model = 'nomic-embed-text';
const batch = ['the NAS has 4 disks', 'zfs scrub weekly', 'k\u00fcche \u{1F642}'];
const embedPaths = () => fake.requests.map((r) => r.path).filter((p) => p === '/api/embed' || p === '/v1/embeddings');
const float32 = (v: ArrayLike<number>) => Array.from(Float32Array.from(v));

describe('a batch goes to /v1/embeddings in base64', () => {
  it('gives the float32 bits of the /api/embed vectors, with the token count; a single text stays on /api/embed with its timings', async () => {
    const { http, fetch } = both(fake.url);
    fake.reset();
    const reference = await fetch.embed(model, batch);
    const answer = await http.embed(model, batch);
    expect(fake.requests.at(-1)).toMatchObject({ path: '/v1/embeddings', body: { model, input: batch, encoding_format: 'base64' } });
    expect(answer.model).toBe(model);
    expect(answer.embeddings).toHaveLength(3);
    for (const [i, v] of answer.embeddings.entries()) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(Array.from(v)).toEqual(float32(reference.embeddings[i]!));
    }
    expect(answer.prompt_eval_count).toBe(reference.prompt_eval_count);
    expect(answer.total_duration).toBeUndefined();
    const single = await http.embed(model, ['zfs scrub weekly']);
    expect(fake.requests.at(-1)?.path).toBe('/api/embed');
    expect(single.total_duration).toBeGreaterThan(0);
    expect(float32(single.embeddings[0]!)).toEqual(float32(reference.embeddings[1]!));
  });

  it('an Ollama that ignores encoding_format: its numbers are read, then batches go to /api/embed', async () => {
    fake.reset();
    fake.configure({ openAiEmbeddings: 'float' });
    const client = createOllamaClient({ host: fake.url });
    const first = await client.embed(model, batch);
    const second = await client.embed(model, batch);
    expect(embedPaths()).toEqual(['/v1/embeddings', '/api/embed']);
    expect(first.embeddings.map(float32)).toEqual(second.embeddings.map(float32));
    fake.reset();
  });

  it('no /v1 route (a proxy of /api/ only): answered from /api/embed, and /v1 is not asked again', async () => {
    fake.reset();
    fake.configure({ openAiEmbeddings: 'absent' });
    const client = createOllamaClient({ host: fake.url });
    expect((await client.embed(model, batch)).embeddings).toHaveLength(3);
    expect((await client.embed(model, batch)).total_duration).toBeGreaterThan(0);
    expect(embedPaths()).toEqual(['/v1/embeddings', '/api/embed', '/api/embed']);
    fake.reset();
  });

  it('a model not pulled reports /api/embed\'s error, as ollama-js does; a busy server is retried; /v1 stays in use after both', async () => {
    fake.reset();
    const { http, fetch } = both(fake.url);
    const notPulled = await failure(http.embed('nope:1b', batch));
    expect(notPulled).toEqual(await failure(fetch.embed('nope:1b', batch)));
    expect(notPulled).toMatchObject({ name: 'ResponseError', status: 404, message: 'model "nope:1b" not found, try pulling it first' });
    fake.configure({ failure: { kind: 'http', status: 503, message: 'server busy', once: true, endpoints: ['embed'] } });
    expect((await http.embed(model, batch)).embeddings).toHaveLength(3);
    await http.embed(model, batch);
    expect(embedPaths()).toEqual(['/v1/embeddings', '/api/embed', '/api/embed', '/v1/embeddings', '/api/embed', '/v1/embeddings']);
  });

  it('places vectors by their index', async () => {
    const v1 = [1, 2, 3];
    const v2 = [4, 5, 6];
    const s = await server((res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ object: 'embedding', embedding: float32Base64(v2), index: 1 }, { object: 'embedding', embedding: float32Base64(v1), index: 0 }], model: 'm', usage: { prompt_tokens: 7, total_tokens: 7 } })),
    );
    const answer = await createOllamaClient({ host: s.url }).embed('m', ['a', 'b']);
    expect(answer.embeddings.map((v) => Array.from(v))).toEqual([v1, v2]);
    expect(answer.prompt_eval_count).toBe(7);
  });

  const b64Of = (bytes: number[]) => Buffer.from(bytes).toString('base64');
  const nan = float32Base64([NaN, 1]);
  const hostile: Record<string, unknown> = {
    'a proxy\'s HTML page': '<html>sign in</html>',
    'a JSON that is not a list': { ok: true },
    'too few vectors': { data: [{ embedding: b64Of([0, 0, 128, 63]), index: 0 }] },
    'an index twice': { data: [{ embedding: b64Of([0, 0, 128, 63]), index: 0 }, { embedding: b64Of([0, 0, 128, 63]), index: 0 }] },
    'an index out of range': { data: [{ embedding: b64Of([0, 0, 128, 63]), index: 0 }, { embedding: b64Of([0, 0, 128, 63]), index: 2 }] },
    'bytes not a multiple of 4': { data: [{ embedding: b64Of([0, 0, 128]), index: 0 }, { embedding: b64Of([0, 0, 128, 63]), index: 1 }] },
    'a NaN': { data: [{ embedding: nan, index: 0 }, { embedding: nan, index: 1 }] },
    'numbers that are not numbers': { data: [{ embedding: ['1'], index: 0 }, { embedding: [1], index: 1 }] },
  };
  for (const [name, body] of Object.entries(hostile)) {
    it(`a 2xx that is not an embeddings answer (${name}) is asked again on /api/embed, and /v1 is dropped`, async () => {
      const paths: string[] = [];
      const s = await server((res, path) => {
        paths.push(path);
        if (path === '/v1/embeddings') res.writeHead(200, { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
        else res.writeHead(200, { 'content-type': 'application/json' }).end('{"model":"m","embeddings":[[1,0],[0,1]],"total_duration":5}');
      });
      const client = createOllamaClient({ host: s.url });
      expect((await client.embed('m', ['a', 'b'])).embeddings).toEqual([[1, 0], [0, 1]]);
      await client.embed('m', ['a', 'b']);
      expect(paths).toEqual(['/v1/embeddings', '/api/embed', '/api/embed']);
    });
  }

  it('an unreachable server, a dropped answer and an abort are not asked again', async () => {
    const port = await closedPort();
    const gone = both(`http://127.0.0.1:${port}`);
    expect(await failure(gone.http.embed('m', batch))).toEqual(await failure(gone.fetch.embed('m', batch)));
    const paths: string[] = [];
    const cut = await server((res, path) => {
      paths.push(path);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
      res.write('{"object":"list","data":[');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    expect(await failure(createOllamaClient({ host: cut.url }).embed('m', batch))).toMatchObject({ name: 'TypeError', message: 'terminated' });
    expect(paths).toEqual(['/v1/embeddings']);
    const hung: string[] = [];
    const hang = await server((_res, path) => void hung.push(path));
    const controller = new AbortController();
    const reason = new Error('the ingestion was cancelled');
    setTimeout(() => controller.abort(reason), 30);
    await expect(createOllamaClient({ host: hang.url }).embed('m', batch, { signal: controller.signal })).rejects.toBe(reason);
    expect(hung).toEqual(['/v1/embeddings']);
  });
});
