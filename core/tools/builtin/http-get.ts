import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { idleSocketMs } from '../../llm';

/**
 * A tool's GET of a JSON API (Prometheus, Loki, Tempo), read as text up to a cap. Two ways: with an
 * injected fetch (tests that fake or wrap the transport), or over node:http on keep-alive agents.
 */
export interface TextAnswer {
  status: number;
  statusText: string;
  /** The body, or null when it was longer than the cap (the rest was not read). */
  text: string | null;
}

/** Rejects when the service cannot be reached; with `BrokeOff` when the answer stopped midway. */
export type GetText = (url: URL, signal: AbortSignal, maxChars: number) => Promise<TextAnswer>;

/** The answer began and then broke off (the connection dropped, the body was cut). */
export class BrokeOff extends Error {
  constructor(readonly reason: unknown) {
    super('the answer broke off', { cause: reason });
  }
}

/**
 * The body as text, read only up to `maxChars` (null past it, the rest of the body cancelled): a
 * service that answers gigabytes (a broken proxy, an endless stream) must not be held in memory
 * whole before its size is checked.
 */
async function readCapped(response: Response, maxChars: number): Promise<string | null> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    text += decoder.decode(value, { stream: true });
    if (text.length > maxChars) {
      await reader.cancel().catch(() => {});
      return null;
    }
  }
}

/** The GET through `fetchFn`, which follows redirects. */
export function fetchGetText(fetchFn: typeof fetch): GetText {
  return async (url, signal, maxChars) => {
    const response = await fetchFn(url, { headers: { Accept: 'application/json' }, signal });
    let text: string | null;
    try {
      text = await readCapped(response, maxChars);
    } catch (err) {
      if (signal.aborted) throw err;
      throw new BrokeOff(err);
    }
    return { status: response.status, statusText: response.statusText, text };
  };
}

/** Up to `maxChars` of the body as text (null past it, and the response destroyed). */
function readBody(res: IncomingMessage, maxChars: number, signal: AbortSignal): Promise<string | null> {
  return new Promise((resolve, reject) => {
    // Decoded as it comes: a character split across two reads is joined, not garbled.
    res.setEncoding('utf8');
    let text = '';
    res.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > maxChars) {
        res.destroy();
        resolve(null);
      }
    });
    res.once('end', () => resolve(text));
    res.once('error', (err) => reject(signal.aborted ? signal.reason : new BrokeOff(err)));
    // Destroyed before its end (the connection dropped): an error without 'error' on some Node versions.
    res.once('close', () => {
      if (!res.complete) reject(signal.aborted ? signal.reason : new BrokeOff(new Error('the connection closed before the answer ended')));
    });
  });
}

/**
 * The GET over node:http on keep-alive agents (idle sockets closed after `idleSocketMs`, as the
 * chat stream's). Why not fetch: Node's fetch builds a Request, Headers, a Response and a web
 * stream per call; measured here (docs/benchmarks.md, "Tool round"), that was most of what a tool
 * call cost above the bare loop's. What node:http does not do the way fetch does goes to
 * `fallback` (a fetch): a redirect (fetch follows it), a URL with credentials (fetch refuses it),
 * a scheme other than http(s).
 */
export function createHttpGetText(fallback: GetText): GetText {
  const options = { keepAlive: true, timeout: idleSocketMs, noDelay: true };
  const agents = { http: new HttpAgent(options), https: new HttpsAgent(options) };
  return (url, signal, maxChars) => {
    const secure = url.protocol === 'https:';
    if ((!secure && url.protocol !== 'http:') || url.username || url.password) return fallback(url, signal, maxChars);
    return new Promise<TextAnswer>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const req = (secure ? httpsRequest : httpRequest)(url, { agent: secure ? agents.https : agents.http, headers: { Accept: 'application/json' }, signal }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          resolve(fallback(url, signal, maxChars));
          return;
        }
        readBody(res, maxChars, signal).then((text) => resolve({ status, statusText: res.statusMessage ?? '', text }), reject);
      });
      // `on`, not `once`: a destroyed request may report a second error, which must not go unheard.
      req.on('error', (err) => reject(signal.aborted ? signal.reason : err));
      req.end();
    });
  };
}
