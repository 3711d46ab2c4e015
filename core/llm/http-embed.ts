import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { EmbedResponse } from 'ollama';
import { defaultUserAgent, responseErrorOf } from './chat-stream';
import { failedBeforeAnswer, failedInAnswer, readText, type HttpChatTransport } from './http-chat-transport';

/**
 * `POST /api/embed` over node:http on the chat stream's keep-alive agents, with the request
 * ollama-js sends and its answer and errors in the same shapes (a ResponseError with Ollama's
 * text, fetch's `fetch failed` and `terminated`, the signal's reason on an abort).
 *
 * Why: an ingestion sends one request a batch of 64 chunks, and each answer is 64 x 768 numbers
 * of JSON (~0.7 MB). Through fetch that answer is a web stream of chunks joined and decoded again
 * by `response.json()`; here the body's buffers are joined once and parsed. Measured on this
 * machine (tests/bench/embed-transport.ts, docs/benchmarks.md "Scale: embedding over HTTP"): 0.87-0.91x
 * the wall time and 0.84-0.90x the CPU of ollama-js on fetch per request of 64 (about 1.5 ms less).
 */
export function postHttpEmbed(host: string, body: { model: string; input: string[] }, transport: HttpChatTransport, signal: AbortSignal | undefined): Promise<EmbedResponse> {
  const url = new URL(`${host.replace(/\/+$/, '')}/api/embed`);
  const payload = JSON.stringify(body);
  const secure = url.protocol === 'https:';
  return new Promise<EmbedResponse>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let settled = false;
    const settle = (ok: boolean, value: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (ok) resolve(value as EmbedResponse);
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
        res.once('end', () => {
          try {
            settle(true, JSON.parse(Buffer.concat(parts).toString('utf8')));
          } catch (err) {
            settle(false, err);
          }
        });
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
