import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { defaultUserAgent, responseErrorOf } from './chat-stream';
import { failedBeforeAnswer, failedInAnswer, readText, type HttpChatTransport } from './http-chat-transport';

/**
 * One JSON `POST` over node:http on the chat stream's keep-alive agents, answered with the whole
 * body as one Buffer (joined once; the caller parses it). Errors have fetch's and ollama-js's
 * shapes, so `classifyOllamaError` reads them as it reads the fetch path's: a non-2xx is a
 * ResponseError with the server's text, a socket error is `fetch failed` before the answer and
 * `terminated` in it, and an abort rejects with the signal's reason.
 */
export function postHttpJson(url: URL, payload: string, transport: HttpChatTransport, signal: AbortSignal | undefined): Promise<Buffer> {
  const secure = url.protocol === 'https:';
  return new Promise<Buffer>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let settled = false;
    const settle = (ok: boolean, value: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (ok) resolve(value as Buffer);
      else reject(value);
    };
    let response: IncomingMessage | null = null;
    const onAbort = () => {
      settle(false, signal!.reason);
      req.destroy();
      response?.destroy();
    };
    const req = (secure ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        agent: secure ? transport.https : transport.http,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': defaultUserAgent, 'Content-Length': Buffer.byteLength(payload) },
      },
      (res) => {
        response = res;
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) {
          void readText(res).then((text) => settle(false, responseErrorOf(status, res.statusMessage ?? '', String(res.headers['content-type'] ?? ''), text)));
          return;
        }
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.once('end', () => settle(true, Buffer.concat(parts)));
        res.once('error', (err) => settle(false, signal?.aborted ? signal.reason : failedInAnswer(err)));
        res.once('close', () => {
          if (!res.complete) settle(false, signal?.aborted ? signal.reason : failedInAnswer(new Error('the connection closed before the answer ended')));
        });
      },
    );
    // `on`, not `once`: a destroyed request may report a second error, which must not go unheard.
    req.on('error', (err) => settle(false, signal?.aborted ? signal.reason : failedBeforeAnswer(err)));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(payload);
  });
}
