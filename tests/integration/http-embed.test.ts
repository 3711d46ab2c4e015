/**
 * `/api/embed` over node:http (core/llm/http-embed.ts) held to ollama-js's output: the same
 * vectors, the same error shapes (which classifyOllamaError reads), against the wire-faithful fake
 * Ollama and small servers that misbehave.
 */
import type { Server, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyOllamaError, createOllamaClient } from '../../core/llm';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
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
async function server(answer: (res: ServerResponse) => void): Promise<{ url: string; connections: () => number }> {
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
  it('answers what ollama-js answers for the same request, and sends the same body', async () => {
    const { http, fetch } = both(fake.url);
    const input = ['the NAS has 4 disks', 'zfs scrub weekly', 'k\u00fcche \u{1F642}'];
    fake.reset();
    const a = await http.embed('nomic-embed-text', input);
    const b = await fetch.embed('nomic-embed-text', input);
    expect(a.embeddings).toEqual(b.embeddings);
    expect(a.embeddings).toHaveLength(3);
    expect(a.embeddings[0]).toHaveLength(768);
    expect(a.model).toBe(b.model);
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
