import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { chatBatches, defaultUserAgent, responseErrorOf, type ChatBatches, type ChatStreamCall } from './chat-stream';
import type { ByteReader } from './ndjson-reader';

/**
 * `POST /api/chat` over node:http instead of fetch, with the same request bytes, the same headers
 * and errors of the same shapes (so `classifyOllamaError` reads both alike, and the conformance test
 * holds both to ollama-js's output).
 *
 * Why: Node's fetch (undici's WHATWG layer) builds a Request, Headers and a Response, sends even a
 * string body through a web ReadableStream and an async generator, and hands the answer over as
 * another web stream: measured on this machine (2026-12-07, a 3 KB POST with a streamed answer
 * from a server in another process, 250 requests each, alternating), about 1 ms more CPU and
 * 0.6-0.9 ms more wall time per request than node:http on a keep-alive agent. A tool turn makes
 * two of these requests; that was most of what the app added to a bare ollama-js loop. The rest of
 * Ollama's API (small JSON calls, rare) stays on ollama-js, and an injected `fetch` (tests that
 * wrap or fake the transport) still takes the fetch path in chat-stream.ts.
 */
export interface HttpChatTransport {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
}

/**
 * An idle keep-alive socket is closed after this long. Below Node's server default of 5 s (and far
 * below Ollama's, which keeps idle connections), so a request never goes out on a socket the
 * server is closing at that moment. A socket in use is never timed out by this (the turn's
 * watchdog owns those waits).
 */
export const idleSocketMs = 4_000;

export function createHttpChatTransport(): HttpChatTransport {
  const options = { keepAlive: true, timeout: idleSocketMs, noDelay: true };
  return { http: new HttpAgent(options), https: new HttpsAgent(options) };
}

/** What a socket error becomes: fetch's shapes (`fetch failed` before the answer, `terminated` in it). */
export const failedBeforeAnswer = (err: unknown) => new TypeError('fetch failed', { cause: err });
// Without the socket error's code as cause: fetch's `terminated` carries UND_ERR_SOCKET, which is
// not an "unreachable" code, and so the classification stays "the connection dropped mid-answer".
export const failedInAnswer = (err: unknown) => new TypeError('terminated', { cause: new Error(err instanceof Error ? err.message : String(err)) });

/** The answer's body as the NDJSON reader reads it; an abort of `signal` rejects with its reason, as fetch does. */
function bodyReader(res: IncomingMessage, signal: AbortSignal | undefined): ByteReader {
  const chunks = res[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return {
    async read() {
      try {
        const next = await chunks.next();
        return next.done ? { done: true } : { done: false, value: next.value };
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        throw failedInAnswer(err);
      }
    },
    async cancel() {
      // Destroyed first: the iterator's return() waits behind a pending read, which a server that
      // keeps the body open after `done` would never end (the drain's cut-off is such a cancel).
      res.destroy();
      await chunks.return?.().catch(() => {});
    },
    releaseLock() {},
  };
}

export function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    res.on('data', (chunk: Buffer) => parts.push(chunk));
    res.once('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    res.once('error', () => resolve(''));
  });
}

export function openHttpChatStream(call: Omit<ChatStreamCall, 'fetch'>, transport: HttpChatTransport): Promise<ChatBatches> {
  const url = new URL(`${call.host.replace(/\/+$/, '')}/api/chat`);
  const body = JSON.stringify({ ...call.request, stream: true });
  const secure = url.protocol === 'https:';
  const { signal } = call;
  return new Promise<ChatBatches>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let settled = false;
    let response: IncomingMessage | null = null;
    const settle = (ok: boolean, value: unknown) => {
      if (settled) return;
      settled = true;
      if (ok) resolve(value as ChatBatches);
      else reject(value);
    };
    const onAbort = () => {
      settle(false, signal!.reason);
      req.destroy();
      response?.destroy();
    };
    const done = () => signal?.removeEventListener('abort', onAbort);
    const req = (secure ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        agent: secure ? transport.https : transport.http,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': call.userAgent ?? defaultUserAgent, 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        response = res;
        // The listener goes with the response: once it is read or dropped, the signal has nothing to stop.
        res.once('close', done);
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) {
          void readText(res).then((text) => settle(false, responseErrorOf(status, res.statusMessage ?? '', String(res.headers['content-type'] ?? ''), text)));
          return;
        }
        settle(true, chatBatches(bodyReader(res, signal), call.read));
      },
    );
    // `on`, not `once`: a destroyed request may report a second error, which must not go unheard.
    req.on('error', (err) => {
      done();
      settle(false, signal?.aborted ? signal.reason : failedBeforeAnswer(err));
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
}
