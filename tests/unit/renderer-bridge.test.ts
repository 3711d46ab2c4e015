import { describe, expect, it, vi } from 'vitest';
import type { ChatEventBatch } from '../../core/common';
import type { ConnectionState } from '../../renderer/src/bridge/connection';
import { UNAUTHORIZED_HINT } from '../../renderer/src/bridge/errors';
import { HttpBridge } from '../../renderer/src/bridge/http-bridge';
import { createLineSplitter, parseEventLine, readInvokeResponse } from '../../renderer/src/bridge/ndjson';
import { takeToken, tokenStorageKey } from '../../renderer/src/bridge/token';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A response body the test writes to chunk by chunk (split anywhere, even inside a line). */
function controllableStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const encoder = new TextEncoder();
  return {
    response: new Response(body, { status: 200, headers: { 'content-type': 'application/x-ndjson' } }),
    write: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 1000; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('NDJSON line splitter', () => {
  it('yields whole lines across chunk borders, skips blanks, handles CRLF and a last line without newline', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((line) => lines.push(line));
    splitter.push('{"a":');
    splitter.push('1}\n\n{"b"');
    splitter.push(':2}\r\n{"c":3}');
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    splitter.end();
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });
});

describe('parseEventLine', () => {
  it('accepts events and pings, rejects everything else without throwing', () => {
    expect(parseEventLine('{"ping":3}')).toEqual({ ping: 3 });
    expect(parseEventLine('{"channel":"health","payload":{"status":"ok"}}')).toEqual({ channel: 'health', payload: { status: 'ok' } });
    expect(parseEventLine('not json')).toBeNull();
    expect(parseEventLine('[1,2]')).toBeNull();
    expect(parseEventLine('{"channel":"health"}')).toBeNull();
    expect(parseEventLine('{"ping":"x"}')).toBeNull();
    expect(parseEventLine('null')).toBeNull();
  });
});

describe('readInvokeResponse', () => {
  it('returns the result of an ok envelope', async () => {
    await expect(readInvokeResponse(json(200, { ok: true, result: [1] }), 'models.list')).resolves.toEqual([1]);
  });

  it('throws the core error code and message of a failed envelope', async () => {
    const err = await readInvokeResponse(json(200, { ok: false, error: { code: 'model_not_found', message: 'pull it' } }), 'chat.send').catch((e) => e);
    expect(err).toMatchObject({ code: 'model_not_found', message: 'pull it', status: 200 });
  });

  it('turns a 401 into the message that says where the token is', async () => {
    const err = await readInvokeResponse(json(401, { error: { code: 'unauthorized', message: 'wrong token' } }), 'health.get').catch((e) => e);
    expect(err).toMatchObject({ code: 'unauthorized', message: UNAUTHORIZED_HINT });
  });

  it('reads a bare {error} body and survives a non-JSON one', async () => {
    await expect(readInvokeResponse(json(400, { error: { code: 'invalid_request', message: 'bad' } }), 'x')).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(readInvokeResponse(new Response('<html>oops', { status: 502 }), 'chat.send')).rejects.toMatchObject({
      code: 'transport',
      message: expect.stringContaining('HTTP 502'),
    });
  });
});

describe('HttpBridge.invoke', () => {
  it('POSTs the input as JSON with the bearer token to the channel path', async () => {
    const fetch = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => json(200, { ok: true, result: { turnId: 't', conversationId: 'c' } }));
    const bridge = new HttpBridge({ token: 'tok', baseUrl: 'http://x', fetch });
    await expect(bridge.invoke('chat.send', { message: 'hi', turnId: 't' })).resolves.toEqual({ turnId: 't', conversationId: 'c' });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('http://x/api/v1/invoke/chat.send');
    expect(init?.method).toBe('POST');
    expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(JSON.parse(String(init?.body))).toEqual({ message: 'hi', turnId: 't' });
  });

  it('sends {} for channels without input', async () => {
    const fetch = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => json(200, { ok: true, result: [] }));
    await new HttpBridge({ token: 'tok', fetch }).invoke('models.list');
    expect(fetch.mock.calls[0]![1]?.body).toBe('{}');
  });

  it('without a token: unauthorized at once, no request', async () => {
    const fetch = vi.fn();
    const bridge = new HttpBridge({ token: null, fetch });
    expect(bridge.current().status).toBe('unauthorized');
    await expect(bridge.invoke('health.get')).rejects.toMatchObject({ code: 'unauthorized', message: UNAUTHORIZED_HINT });
    bridge.on('health', () => {});
    expect(fetch).not.toHaveBeenCalled();
  });

  it('a 401 also moves the connection state to unauthorized', async () => {
    const bridge = new HttpBridge({ token: 'wrong', fetch: async () => json(401, { error: { code: 'unauthorized', message: 'no' } }) });
    await expect(bridge.invoke('health.get')).rejects.toMatchObject({ code: 'unauthorized' });
    expect(bridge.current().status).toBe('unauthorized');
  });

  it('a network failure is a transport error with a code', async () => {
    const bridge = new HttpBridge({ token: 't', fetch: async () => Promise.reject(new TypeError('Failed to fetch')) });
    await expect(bridge.invoke('health.get')).rejects.toMatchObject({ code: 'transport', message: expect.stringContaining('Failed to fetch') });
  });
});

describe('HttpBridge events', () => {
  const batch: ChatEventBatch = { turnId: 't1', conversationId: 'c1', events: [{ type: 'token', text: 'hi\n' }] };

  it('delivers events split across chunks, ignores pings, junk and unknown channels', async () => {
    const stream = controllableStream();
    const fetch = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => stream.response);
    const problems: string[] = [];
    const bridge = new HttpBridge({ token: 'tok', fetch, onProblem: (p) => problems.push(p) });
    const got: ChatEventBatch[] = [];
    const health: unknown[] = [];
    bridge.on('chat.event', (b) => got.push(b));
    bridge.on('health', (h) => health.push(h));
    await until(() => bridge.current().status === 'open', 'open');
    expect(String(fetch.mock.calls[0]![0])).toBe('/api/v1/events');
    expect((fetch.mock.calls[0]![1]?.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(fetch).toHaveBeenCalledTimes(1); // one stream for all subscriptions

    const line = JSON.stringify({ channel: 'chat.event', payload: batch });
    stream.write('{"ping":0}\n' + line.slice(0, 10));
    stream.write(line.slice(10) + '\n{"channel":"future.thing","payload":1}\ngarbage\n');
    stream.write('{"channel":"health","payload":{"status":"ok"}}\n');
    await until(() => health.length === 1, 'health event');
    expect(got).toEqual([batch]);
    expect(problems).toHaveLength(1);
    bridge.close();
  });

  it('a listener that throws does not stop the others; unsubscribe works', async () => {
    const stream = controllableStream();
    const bridge = new HttpBridge({ token: 'tok', fetch: async () => stream.response, onProblem: () => {} });
    const seen: string[] = [];
    bridge.on('chat.event', () => {
      throw new Error('boom');
    });
    const off = bridge.on('chat.event', () => seen.push('a'));
    bridge.on('chat.event', () => seen.push('b'));
    await until(() => bridge.current().status === 'open', 'open');
    stream.write(JSON.stringify({ channel: 'chat.event', payload: batch }) + '\n');
    await until(() => seen.length === 2, 'two deliveries');
    off();
    stream.write(JSON.stringify({ channel: 'chat.event', payload: batch }) + '\n');
    await until(() => seen.length === 3, 'third delivery');
    expect(seen).toEqual(['a', 'b', 'b']);
    bridge.close();
  });

  it('reconnects with backoff when the stream drops, telling the UI it was lost', async () => {
    const streams = [controllableStream(), controllableStream()];
    let calls = 0;
    const fetch = vi.fn(async () => {
      const n = calls++;
      if (n === 1) throw new TypeError('Failed to fetch'); // the server is restarting
      return streams[n === 0 ? 0 : 1]!.response;
    });
    const states: ConnectionState[] = [];
    const bridge = new HttpBridge({ token: 'tok', fetch, backoffInitialMs: 5, backoffMaxMs: 20 });
    bridge.onChange((s) => states.push(s));
    const got: unknown[] = [];
    bridge.on('chat.event', (b) => got.push(b));
    await until(() => bridge.current().status === 'open', 'first open');
    streams[0]!.end();
    await until(() => calls === 3 && bridge.current().status === 'open', 'reopen');
    expect(states.map((s) => s.status)).toEqual(['open', 'lost', 'lost', 'open']);
    expect(states[1]).toMatchObject({ detail: 'The event stream ended', retryInMs: 5 });
    expect(states[2]).toMatchObject({ detail: 'Failed to fetch', retryInMs: 10 });
    streams[1]!.write(JSON.stringify({ channel: 'chat.event', payload: batch }) + '\n');
    await until(() => got.length === 1, 'event after reconnect');
    bridge.close();
    expect(bridge.current().status).toBe('closed');
  });

  it('stops retrying on 401 and says how to get the token', async () => {
    const fetch = vi.fn(async () => json(401, { error: { code: 'unauthorized', message: 'no' } }));
    const bridge = new HttpBridge({ token: 'stale', fetch, backoffInitialMs: 1 });
    bridge.on('health', () => {});
    await until(() => bridge.current().status === 'unauthorized', 'unauthorized');
    await tick();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(bridge.current().detail).toBe(UNAUTHORIZED_HINT);
  });

  it('treats a stream that goes silent after pings as dead', async () => {
    const first = controllableStream();
    const second = controllableStream();
    let calls = 0;
    const fetch = async (_url: string | URL | Request, init?: RequestInit) => {
      const stream = calls++ === 0 ? first : second;
      init?.signal?.addEventListener('abort', () => stream.end());
      return stream.response;
    };
    const states: string[] = [];
    const bridge = new HttpBridge({ token: 'tok', fetch, idleTimeoutMs: 20, backoffInitialMs: 1 });
    bridge.onChange((s) => states.push(`${s.status}${s.detail ? `:${s.detail}` : ''}`));
    bridge.on('health', () => {});
    await until(() => bridge.current().status === 'open', 'open');
    first.write('{"ping":0}\n');
    await until(() => calls === 2, 'reconnect after silence');
    expect(states).toContain('lost:The event stream went silent');
    bridge.close();
  });
});

describe('takeToken', () => {
  function env(hash: string, stored: string | null = null) {
    const storage = new Map<string, string>(stored ? [[tokenStorageKey, stored]] : []);
    const replaced: string[] = [];
    return {
      replaced,
      storage,
      env: {
        location: { hash, pathname: '/', search: '?x=1' },
        history: { state: null, replaceState: (_s: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)) },
        storage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v) },
      },
    };
  }

  it('takes the token from the fragment, keeps it in sessionStorage and clears the address bar', () => {
    const t = env('#token=abc-123');
    expect(takeToken(t.env)).toBe('abc-123');
    expect(t.storage.get(tokenStorageKey)).toBe('abc-123');
    expect(t.replaced).toEqual(['/?x=1']);
  });

  it('keeps other fragment parameters', () => {
    const t = env('#token=abc&view=chat');
    takeToken(t.env);
    expect(t.replaced).toEqual(['/?x=1#view=chat']);
  });

  it('falls back to sessionStorage after a reload, and to null', () => {
    const stored = env('', 'kept');
    expect(takeToken(stored.env)).toBe('kept');
    expect(stored.replaced).toEqual([]);
    expect(takeToken(env('').env)).toBeNull();
  });
});
