import { Ollama, type ChatResponse, type Message, type Options, type ListResponse, type ModelResponse, type ShowResponse, type Tool as OllamaTool, type ToolCall } from 'ollama';
import { openChatStream, type ChatBatches } from './chat-stream';
import { createHttpChatTransport, openHttpChatStream } from './http-chat-transport';
import { createHttpEmbed } from './http-embed';
import type { EmbedAnswer } from './embed-port';
import type { MalformedLineSink } from './ndjson-reader';

export type { ChatResponse, Message, ListResponse, ShowResponse, ChatBatches, OllamaTool, ToolCall };

/** `/api/ps` entries; ollama-js 0.6.4's types predate `context_length` (the allocated context). */
export type RunningModel = ModelResponse & { context_length?: number };
export interface RunningModels {
  models: RunningModel[];
}

export interface OllamaClientConfig {
  host: string;
  /** Injected so tests and telemetry can wrap the transport; defaults to global fetch. */
  fetch?: typeof fetch;
  onMalformedLine?: MalformedLineSink;
}

export interface ChatStreamRequest {
  model: string;
  messages: Message[];
  options?: Partial<Options>;
  /** Function tools the model may call (`tools` of /api/chat); left out of the request when empty. */
  tools?: OllamaTool[];
  /** Aborts the request at any point, including before the response headers arrive. */
  signal?: AbortSignal;
}

/** One whole (not streamed) answer, optionally held to a JSON schema (Ollama structured outputs). */
export interface ChatOnceRequest {
  model: string;
  messages: Message[];
  /** `"json"` or a JSON Schema object: the answer's content is then a JSON document matching it. */
  format?: string | Record<string, unknown>;
  options?: Partial<Options>;
  signal?: AbortSignal;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/**
 * The one place that talks to Ollama. It uses the official `ollama` package, except for the chat
 * stream, which is read in one pass (chat-stream.ts) with ollama-js's request and error shapes.
 * Per call it builds a client whose fetch carries the caller's AbortSignal (ollama-js's own abort
 * only exists once the stream has started, and a model load can take minutes before that).
 */
export interface OllamaClient {
  readonly host: string;
  /** The answer as it streams: one batch of chunks per network read (see chat-stream.ts). */
  chatStream(request: ChatStreamRequest): Promise<ChatBatches>;
  /** `/api/chat` with `stream: false` (the answer judge): one response with the metrics. */
  chat(request: ChatOnceRequest): Promise<ChatResponse>;
  version(options?: RequestOptions): Promise<string>;
  list(options?: RequestOptions): Promise<ListResponse>;
  ps(options?: RequestOptions): Promise<RunningModels>;
  show(model: string, options?: RequestOptions): Promise<ShowResponse>;
  /** One batch of texts: `/api/embed`, or `/v1/embeddings` in base64 for a batch over node:http (http-embed.ts). */
  embed(model: string, input: string[], options?: RequestOptions): Promise<EmbedAnswer>;
}

export function createOllamaClient(config: OllamaClientConfig): OllamaClient {
  const baseFetch = config.fetch ?? globalThis.fetch;
  const onMalformed = config.onMalformedLine ?? (() => {});
  // The chat stream and the embed requests go over node:http (http-chat-transport.ts: about 1 ms
  // of CPU less per chat request than fetch; http-embed.ts) unless the caller injected a fetch
  // to wrap or fake the transport.
  const transport = config.fetch ? null : createHttpChatTransport();
  const httpEmbed = transport ? createHttpEmbed(config.host, transport) : null;

  const clientFor = (signal?: AbortSignal): Ollama => {
    const wrapped: typeof fetch = (input, init) => {
      const signals = [init?.signal, signal].filter((s): s is AbortSignal => !!s);
      return baseFetch(input, { ...init, signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0] });
    };
    return new Ollama({ host: config.host, fetch: wrapped });
  };

  return {
    host: config.host,
    chatStream(request) {
      const call = {
        host: config.host,
        request: { model: request.model, messages: request.messages, ...(request.tools?.length ? { tools: request.tools } : {}), ...(request.options ? { options: request.options } : {}) },
        signal: request.signal,
        read: { onMalformed },
      };
      return transport ? openHttpChatStream(call, transport) : openChatStream({ ...call, fetch: baseFetch });
    },
    chat: (request) =>
      clientFor(request.signal).chat({
        model: request.model,
        messages: request.messages,
        stream: false,
        ...(request.format !== undefined ? { format: request.format } : {}),
        ...(request.options ? { options: request.options } : {}),
      }),
    async version(options) {
      return (await clientFor(options?.signal).version()).version;
    },
    list: (options) => clientFor(options?.signal).list(),
    ps: (options) => clientFor(options?.signal).ps(),
    show: (model, options) => clientFor(options?.signal).show({ model }),
    embed: (model, input, options) => (httpEmbed ? httpEmbed({ model, input }, options?.signal) : clientFor(options?.signal).embed({ model, input })),
  };
}
