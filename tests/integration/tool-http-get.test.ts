/**
 * The tools' GET over node:http (core/tools/builtin/http-get.ts), against real HTTP servers on
 * loopback: what it reads, what it refuses, what it hands to fetch, and the sentences the model
 * reads for each failure (through getJson, as the Prometheus, Loki and Tempo tools use it).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createHttpGetText, fetchGetText, type GetText } from '../../core/tools/builtin/http-get';
import { getJson } from '../../core/tools/builtin/http-json';
import { closedPort } from '../support/core-harness';

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))));

/** A server on 127.0.0.1 with its URL and the connections it accepted. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; connections: () => number }> {
  const server = createServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, connections: () => connections };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const fallbackCalls: URL[] = [];
afterEach(() => void (fallbackCalls.length = 0));
const fallback: GetText = (url, signal, max) => {
  fallbackCalls.push(url);
  return fetchGetText(globalThis.fetch)(url, signal, max);
};
const get = createHttpGetText(fallback);
const live = () => new AbortController().signal;

describe('the tools GET over node:http', () => {
  it('reads a JSON answer with Accept: application/json, on one kept-alive connection for several calls', async () => {
    const accepts: string[] = [];
    const s = await serve((req, res) => {
      accepts.push(String(req.headers.accept));
      json(res, 200, { status: 'success', data: { path: req.url } });
    });
    for (const q of ['up', 'node_load1', 'rate(x[5m])']) {
      const url = new URL(`${s.url}/api/v1/query`);
      url.searchParams.set('query', q);
      expect(await getJson(get, 'Prometheus', url, live())).toEqual({ ok: true, body: { status: 'success', data: { path: url.pathname + url.search } } });
    }
    expect(accepts).toEqual(['application/json', 'application/json', 'application/json']);
    expect(s.connections()).toBe(1);
    expect(fallbackCalls).toEqual([]);
  });

  it('a non-2xx answer gives its status and the service\'s reason', async () => {
    const s = await serve((req, res) => (req.url!.startsWith('/loki') ? (res.writeHead(400), res.end('parse error at line 1, col 5: syntax error')) : json(res, 400, { status: 'error', error: 'parse error at char 5' })));
    expect(await getJson(get, 'Prometheus', new URL(`${s.url}/api/v1/query`), live())).toEqual({ ok: false, error: 'Prometheus answered 400: parse error at char 5' });
    expect(await getJson(get, 'Loki', new URL(`${s.url}/loki/api/v1/query_range`), live())).toEqual({ ok: false, error: 'Loki answered 400: parse error at line 1, col 5: syntax error' });
  });

  it('an endless answer is read up to 8 MB, then refused and its connection closed', async () => {
    let sent = 0;
    let closed = false;
    const chunk = 'x'.repeat(64 * 1024);
    const s = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      req.socket.once('close', () => (closed = true));
      const pump = () => {
        while (!res.destroyed && sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
    });
    expect(await getJson(get, 'Prometheus', new URL(`${s.url}/api/v1/query`), live())).toEqual({ ok: false, error: 'Prometheus answered more than 8 MB; narrow the query' });
    await expect.poll(() => closed).toBe(true);
    // The socket buffers hold a few MB more than was read; never the whole 64 MB.
    expect(sent).toBeLessThan(24 * 1024 * 1024);
  });

  it('a character split between two writes is decoded whole', async () => {
    const bytes = Buffer.from(JSON.stringify({ status: 'success', data: { host: 'nas-küche-🙂' } }));
    const cut = bytes.indexOf(0xf0) + 2; // inside the emoji's four bytes
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(bytes.subarray(0, cut));
      setTimeout(() => res.end(bytes.subarray(cut)), 20);
    });
    expect(await getJson(get, 'Prometheus', new URL(`${s.url}/api/v1/query`), live())).toEqual({ ok: true, body: { status: 'success', data: { host: 'nas-küche-🙂' } } });
  });

  it('an unreachable service and an answer that breaks off are sentences, not throws', async () => {
    const port = await closedPort();
    expect(await getJson(get, 'Prometheus', new URL(`http://127.0.0.1:${port}/api/v1/query`), live())).toEqual({ ok: false, error: `Prometheus at http://127.0.0.1:${port} could not be reached (ECONNREFUSED)` });
    const s = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"status":"succ');
      setTimeout(() => req.socket.destroy(), 20);
    });
    const broke = await getJson(get, 'Tempo', new URL(`${s.url}/api/traces/abc`), live());
    expect(broke.ok).toBe(false);
    expect((broke as { error: string }).error).toMatch(/^Tempo broke off its answer \(/);
  });

  it('an abort (the tool timeout, a stop) rejects with the signal\'s reason, before and during the answer', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/during') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"status":');
      }
      // Otherwise never answers.
    });
    for (const path of ['/hang', '/during']) {
      const controller = new AbortController();
      const reason = new Error(`timed out on ${path}`);
      setTimeout(() => controller.abort(reason), 50);
      await expect(getJson(get, 'Prometheus', new URL(`${s.url}${path}`), controller.signal)).rejects.toBe(reason);
    }
    const aborted = new AbortController();
    aborted.abort(new Error('already stopped'));
    await expect(get(new URL(`${s.url}/hang`), aborted.signal, 100)).rejects.toThrow('already stopped');
  });

  it('a redirect is followed by the fetch fallback, as fetch followed it before', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/prometheus/api/v1/query') return json(res, 200, { status: 'success', data: 'moved' });
      res.writeHead(308, { location: `/prometheus${req.url}` });
      res.end();
    });
    expect(await getJson(get, 'Prometheus', new URL(`${s.url}/api/v1/query`), live())).toEqual({ ok: true, body: { status: 'success', data: 'moved' } });
    expect(fallbackCalls.map(String)).toEqual([`${s.url}/api/v1/query`]);
  });

  it('a URL with credentials is left to fetch, which refuses it as before (node:http would send them as Basic auth)', async () => {
    let reached = false;
    const s = await serve((_req, res) => {
      reached = true;
      json(res, 200, {});
    });
    const url = new URL(s.url.replace('http://', 'http://admin:secret@') + '/api/v1/query');
    const answer = await getJson(get, 'Prometheus', url, live());
    expect(answer.ok).toBe(false);
    expect((answer as { error: string }).error).toMatch(/could not be reached \(Request cannot be constructed from a URL that includes credentials/);
    expect(fallbackCalls).toHaveLength(1);
    expect(reached).toBe(false);
  });
});
