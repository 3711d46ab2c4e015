import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyOllamaError, createOllamaClient } from '../../core/llm';
import { answerServer } from '../support/answer-server';

const line = (v: unknown) => `${JSON.stringify(v)}\n`;
const chunk = (content: string) => line({ model: 'm', created_at: '2026-01-01T00:00:00Z', message: { role: 'assistant', content }, done: false });
const done = line({ model: 'm', created_at: '2026-01-01T00:00:00Z', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop' });
const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

let servers: Server[] = [];
afterEach(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  servers = [];
});

async function readAll(batches: AsyncIterable<unknown[]>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const batch of batches) out.push(...batch);
  return out;
}

describe('the chat stream over node:http', () => {
  it('reuses one keep-alive connection for turn after turn (the rest of each body is drained, not cut)', async () => {
    const srv = await answerServer((res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(chunk('He') + chunk('llo') + done);
      // The chunked terminator a moment after done, as Ollama sends it.
      setTimeout(() => res.end(), 5);
    });
    servers.push(srv.server);
    const client = createOllamaClient({ host: srv.url });
    for (let i = 0; i < 3; i++) {
      const values = await readAll(await client.chatStream(request));
      expect(values.map((v) => (v as { message: { content: string } }).message.content)).toEqual(['He', 'llo', '']);
      // Let the drain finish and the socket return to the pool.
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(srv.connections()).toBe(1);
  });

  it('a body that stays open after done is cut off after the drain time (the connection closes)', async () => {
    let closed: Promise<void> = Promise.resolve();
    const srv = await answerServer((res) => {
      closed = new Promise((resolve) => res.socket!.once('close', () => resolve()));
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      // done, and then the body never ends.
      res.write(chunk('ok') + done);
    });
    servers.push(srv.server);
    const values = await readAll(await createOllamaClient({ host: srv.url }).chatStream(request));
    expect(values).toHaveLength(2);
    await closed;
  });

  it('an abort before the answer rejects with the reason; one in the middle of it ends the read with the reason', async () => {
    // Sends one chunk and then nothing: only the abort ends the read.
    const srv = await answerServer((res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(chunk('partial'));
    });
    servers.push(srv.server);
    const client = createOllamaClient({ host: srv.url });

    const mid = new AbortController();
    const stream = await client.chatStream({ ...request, signal: mid.signal });
    const seen: unknown[] = [];
    const reading = (async () => {
      for await (const batch of stream) {
        seen.push(...batch);
        mid.abort('cancelled');
      }
    })();
    await expect(reading).rejects.toBe('cancelled');
    expect(seen).toHaveLength(1);

    const before = new AbortController();
    before.abort('stalled-first');
    await expect(client.chatStream({ ...request, signal: before.signal })).rejects.toBe('stalled-first');
  });

  it('errors have fetch\'s shapes: an HTTP error is a ResponseError with Ollama\'s text; a cut after the headers is "dropped", not "unreachable"', async () => {
    const failing = await answerServer((res) => res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: 'llama runner process has terminated' })));
    servers.push(failing.server);
    const err = await createOllamaClient({ host: failing.url }).chatStream(request).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ResponseError', status_code: 500, message: 'llama runner process has terminated' });

    const cut = await answerServer((res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.flushHeaders();
      setTimeout(() => res.socket?.destroy(), 5);
    });
    servers.push(cut.server);
    const dropped = await readAll(await createOllamaClient({ host: cut.url }).chatStream(request)).catch((e: unknown) => e);
    expect(classifyOllamaError(dropped, { host: cut.url, model: 'm', chunksReceived: 0 }).code).toBe('stream_interrupted');
  });

  it('an injected fetch still carries the chat stream (tests that wrap or fake the transport)', async () => {
    const srv = await answerServer((res) => res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(chunk('ok') + done));
    servers.push(srv.server);
    const urls: string[] = [];
    const client = createOllamaClient({ host: srv.url, fetch: (input, init) => (urls.push(String(input)), fetch(input, init)) });
    expect(await readAll(await client.chatStream(request))).toHaveLength(2);
    expect(urls).toEqual([`${srv.url}/api/chat`]);
  });
});
