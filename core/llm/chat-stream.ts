import type { ChatRequest, ChatResponse } from 'ollama';
import { readNdjsonBatches, type ByteReader, type NdjsonReadOptions, type NdjsonStop } from './ndjson-reader';

/**
 * `POST /api/chat` with `stream: true`, read in one pass. Everything else goes through ollama-js;
 * the chat stream does not, because ollama-js parses line by line through two async generators
 * and we had to check each line before it (see ndjson-reader.ts): at the fake's 220,000 tokens/s
 * that was a quarter of a turn. The request, the headers and the errors are ollama-js 0.6.4's, so
 * `classifyOllamaError` reads both alike, and a test holds the two to the same output:
 * - an HTTP error is a `ResponseError` (name + `status_code`) with Ollama's `error` text,
 * - an `{"error": ...}` line is a plain Error with that text,
 * - a stream that ends without `done` throws "Did not receive done or success response in stream.".
 */
export class ResponseError extends Error {
  constructor(
    message: string,
    readonly status_code: number,
  ) {
    super(message);
    this.name = 'ResponseError';
  }
}

export const defaultUserAgent = `agent-bruno-desktop (${process.arch} ${process.platform} Node.js/${process.version})`;

export const missingDoneMessage = 'Did not receive done or success response in stream.';

/** The chunks of one network read, in order; the last batch ends with the `done` chunk. */
export type ChatBatches = AsyncIterable<ChatResponse[]>;

export interface ChatStreamCall {
  fetch: typeof fetch;
  /** A normalized `http(s)://host:port[/prefix]`. */
  host: string;
  request: Omit<ChatRequest, 'stream'>;
  signal?: AbortSignal | undefined;
  userAgent?: string;
  read: NdjsonReadOptions;
}

/** ollama-js's error for a non-2xx answer: Ollama's `error` text when the body is JSON that has one. */
export function responseErrorOf(status: number, statusText: string, contentType: string, body: string): ResponseError {
  let message = `Error ${status}: ${statusText}`;
  if (contentType.includes('application/json')) {
    try {
      const parsed = JSON.parse(body) as { error?: unknown };
      if (typeof parsed.error === 'string' && parsed.error) message = parsed.error;
    } catch {
      // A JSON content type with a body that is not JSON: keep the status line.
    }
  } else if (body) {
    message = body;
  }
  return new ResponseError(message, status);
}

async function responseError(response: Response): Promise<ResponseError> {
  const body = await response.text().catch(() => '');
  return responseErrorOf(response.status, response.statusText, response.headers.get('content-type') ?? '', body);
}

export async function* chatBatches(body: ReadableStream<Uint8Array> | ByteReader, read: NdjsonReadOptions): AsyncGenerator<ChatResponse[], void, undefined> {
  const stop: NdjsonStop = { atEnd: false };
  for await (const values of readNdjsonBatches(body, read, stop)) {
    for (let i = 0; i < values.length; i++) {
      const value = values[i] as ChatResponse & { error?: unknown };
      if (value !== null && typeof value === 'object' && 'error' in value) {
        // What came before the error line was streamed to the user; hand it over first.
        if (i > 0) yield values.slice(0, i) as ChatResponse[];
        throw new Error(String(value.error));
      }
      if (value?.done) {
        // Anything after `done` is not part of this answer (ollama-js stops there too); the rest of
        // the body is drained, not cancelled (set before the yield: the consumer may stop there).
        stop.atEnd = true;
        yield i === values.length - 1 ? (values as ChatResponse[]) : (values.slice(0, i + 1) as ChatResponse[]);
        return;
      }
    }
    yield values as ChatResponse[];
  }
  throw new Error(missingDoneMessage);
}

export async function openChatStream(call: ChatStreamCall): Promise<ChatBatches> {
  const url = `${call.host.replace(/\/+$/, '')}/api/chat`;
  const response = await call.fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': call.userAgent ?? defaultUserAgent },
    body: JSON.stringify({ ...call.request, stream: true }),
    ...(call.signal ? { signal: call.signal } : {}),
  });
  if (!response.ok) throw await responseError(response);
  if (!response.body) throw new Error('Missing body');
  return chatBatches(response.body, call.read);
}
