/**
 * What the fake Ollama server does: the behaviour types, their defaults, and
 * how partial updates (`configure(...)`, `POST /__fake/configure`) are merged
 * (behaviour-validation.ts checks them first).
 *
 * A behaviour has global settings (`ModelBehaviour` fields at the top level)
 * and optional per-model overrides in `perModel` (keyed by model name; a name
 * without a tag means `:latest`). Everything is plain JSON except
 * `tokensPerSecond: Infinity`, which travels as `null` or `"Infinity"` over HTTP.
 */

import { defaultStructured, type StructuredBehaviour } from './structured';

/** The endpoints a failure can be limited to (`embed` covers /api/embed, /api/embeddings and /v1/embeddings). */
export type FakeEndpoint = 'chat' | 'generate' | 'embed';

interface FailureCommon {
  /** Apply to one request only, then remove this failure (the model reverts to normal). */
  once?: boolean;
  /** Only fail these endpoints (default: all of chat, generate, embed). */
  endpoints?: FakeEndpoint[];
}

/**
 * A failure mode. `afterTokens` counts generated chunks (thinking, content and
 * tool-call chunks) already written when the failure happens; 0 = before the first.
 */
export type Failure =
  /** Answer with this HTTP status and `{"error": message}` before any streaming. */
  | (FailureCommon & { kind: 'http'; status: number; message?: string })
  /** Status 200, N chunks, then a line `{"error": message}` and the end of the response. */
  | (FailureCommon & { kind: 'midstream-error'; afterTokens?: number; message?: string })
  /** N chunks, then the TCP connection is destroyed (no chunked terminator). */
  | (FailureCommon & { kind: 'drop'; afterTokens?: number })
  /** N chunks (headers are flushed even for 0), then nothing until the client leaves or close(). */
  | (FailureCommon & { kind: 'stall'; afterTokens?: number })
  /** N chunks, then the response ends cleanly without a `done` chunk. */
  | (FailureCommon & { kind: 'no-done'; afterTokens?: number })
  /** After N chunks one line that is not JSON (`line`, default a truncated object), then normal. */
  | (FailureCommon & { kind: 'malformed'; afterTokens?: number; line?: string });

export type FailureKind = Failure['kind'];

/** A tool call the fake model makes when the chat request offers tools. */
export interface FakeToolCall {
  name: string;
  /** An object as Ollama sends it; any other JSON value is allowed to play a hostile model. */
  arguments: unknown;
}

/** Settings that can be global or overridden per model. */
export interface ModelBehaviour {
  /** Generation speed. `0` or `Infinity` = as fast as possible. Default 50. */
  tokensPerSecond: number;
  /** Real delay when a model is (re)loaded. Default 0. */
  loadMs: number;
  /** Real delay before the first generated token (prompt evaluation). Default 0. */
  promptEvalMs: number;
  /** Length of the default deterministic reply, in tokens. Default 40. */
  replyTokens: number;
  /** A fixed reply, split into tokens on word boundaries. Overrides replyTokens. Default null. */
  replyText: string | null;
  /** Number of `message.thinking` chunks sent before the content (unless the request says think:false). Default 0. */
  thinking: number;
  /** A fixed thinking text (overrides `thinking`). Default null. */
  thinkingText: string | null;
  /**
   * Tool calls the model makes when the chat request has `tools`: a round streams them as
   * `tool_calls` chunks (no content), then `done`. Once the request carries the tool results
   * (`role: "tool"` messages after the last user message) the model answers from them instead.
   * Default [].
   */
  toolCalls: FakeToolCall[];
  /** How many rounds of tool calls the model makes before it answers (default 1; large = a looping model). */
  toolRounds: number;
  /**
   * A gullible model: a line `CALL <tool> <json object>` in the last round's tool results becomes
   * its next tool call, whatever `toolRounds` says (a prompt injection that works). Default false.
   */
  obeysToolResults: boolean;
  /** Failure mode, or null for none. Default null. */
  failure: Failure | null;
  /**
   * Allocated context when the request sets no `options.num_ctx` (like
   * OLLAMA_CONTEXT_LENGTH). Default 4096. Set per model, it acts as a Modelfile
   * `PARAMETER num_ctx` and appears in /api/show `parameters`.
   */
  numCtx: number;
  /**
   * Replies to requests with `format` (structured outputs, structured.ts): a JSON document built
   * from the schema, with `values` by property name; `mode: 'malformed'` sends broken JSON.
   */
  structured: StructuredBehaviour;
}

/** A model the fake server "has pulled". */
export interface FakeModel {
  /** e.g. `llama3.1:8b`; a name without a tag gets `:latest`. */
  name: string;
  /** e.g. `llama`, `qwen2`, `nomic-bert`; also the architecture unless `architecture` is set. */
  family: string;
  /** e.g. `8.0B`. */
  parameterSize: string;
  /** e.g. `Q4_K_M`. */
  quantization: string;
  /** Trained context: `model_info["<arch>.context_length"]`; requests are capped to it. */
  maxContext: number;
  /** Size of the weights in bytes (/api/tags `size`). */
  size: number;
  /** An embedding-only model: capabilities ['embedding'], chat/generate answer 400. */
  embedding?: boolean;
  /** Embedding dimension (`<arch>.embedding_length`). Default 768 for embedding models, 4096 otherwise. */
  embeddingLength?: number;
  /** Modelfile `PARAMETER num_ctx`. */
  numCtx?: number;
  /** KV cache bytes per context token, used for /api/ps `size`. Default 131072 (llama3.1 8B, f16). */
  kvBytesPerToken?: number;
  /** Modelfile stop parameters shown in /api/show `parameters`. */
  stop?: string[];
  /** Override /api/show `capabilities`. */
  capabilities?: string[];
  /** Architecture, default `family`. */
  architecture?: string;
}

export interface Behaviour extends ModelBehaviour {
  /** Models listed by /api/tags; any other name answers 404. */
  models: FakeModel[];
  /** Per-model overrides of the ModelBehaviour fields. */
  perModel: Record<string, Partial<ModelBehaviour>>;
  /** Models loaded at start and after reset() (with their default context). */
  preload: string[];
  /** /api/version answer. Default `0.32.15`. */
  version: string;
  /** Default keep-alive when a request sets no `keep_alive`. Default 300000 (5 minutes). */
  keepAliveMs: number;
  /**
   * `POST /v1/embeddings` (the OpenAI-compatible route): `base64` honours `encoding_format` as
   * Ollama does now; `float` always answers JSON numbers (an Ollama from before base64 support);
   * `absent` answers 404 `404 page not found` (a proxy that forwards only `/api/`). Default `base64`.
   */
  openAiEmbeddings: 'base64' | 'float' | 'absent';
}

/** A partial behaviour as accepted by configure(). `perModel: { m: null }` removes m's overrides. */
export type BehaviourPatch = Partial<Omit<Behaviour, 'perModel'>> & {
  perModel?: Record<string, Partial<ModelBehaviour> | null>;
};

export const DEFAULT_MODELS: readonly FakeModel[] = [
  {
    name: 'llama3.1:8b',
    family: 'llama',
    parameterSize: '8.0B',
    quantization: 'Q4_K_M',
    maxContext: 131_072,
    size: 4_920_753_328,
    embeddingLength: 4096,
    kvBytesPerToken: 131_072,
    stop: ['<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'],
  },
  {
    name: 'qwen2.5:0.5b',
    family: 'qwen2',
    parameterSize: '494.03M',
    quantization: 'Q4_K_M',
    maxContext: 32_768,
    size: 397_821_319,
    embeddingLength: 896,
    kvBytesPerToken: 12_288,
    stop: ['<|im_start|>', '<|im_end|>'],
  },
  {
    name: 'nomic-embed-text',
    family: 'nomic-bert',
    parameterSize: '137M',
    quantization: 'F16',
    maxContext: 2048,
    size: 274_302_450,
    embedding: true,
    embeddingLength: 768,
    kvBytesPerToken: 0,
  },
];

export function defaultBehaviour(): Behaviour {
  return {
    tokensPerSecond: 50,
    loadMs: 0,
    promptEvalMs: 0,
    replyTokens: 40,
    replyText: null,
    thinking: 0,
    thinkingText: null,
    toolCalls: [],
    toolRounds: 1,
    obeysToolResults: false,
    failure: null,
    numCtx: 4096,
    structured: defaultStructured(),
    models: DEFAULT_MODELS.map((m) => ({ ...m })),
    perModel: {},
    preload: [],
    version: '0.32.15',
    keepAliveMs: 5 * 60_000,
    openAiEmbeddings: 'base64',
  };
}

/** Ollama's name normalisation: a name without a tag means `:latest`; names compare case-insensitively. */
export function normalizeModelName(name: string): string {
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return (lastSegment.includes(':') ? name : `${name}:latest`).toLowerCase();
}

/** The display name of a model in /api/tags and /api/ps (always with a tag). */
export function displayName(model: FakeModel): string {
  const lastSegment = model.name.slice(model.name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? model.name : `${model.name}:latest`;
}

/** The settings for one model: global values with that model's overrides on top. */
export function behaviourForModel(b: Behaviour, modelName: string): ModelBehaviour {
  const resolved: ModelBehaviour = {
    tokensPerSecond: b.tokensPerSecond,
    loadMs: b.loadMs,
    promptEvalMs: b.promptEvalMs,
    replyTokens: b.replyTokens,
    replyText: b.replyText,
    thinking: b.thinking,
    thinkingText: b.thinkingText,
    toolCalls: b.toolCalls,
    toolRounds: b.toolRounds,
    obeysToolResults: b.obeysToolResults,
    failure: b.failure,
    numCtx: b.numCtx,
    structured: b.structured,
  };
  const override = findOverride(b, modelName);
  if (override) Object.assign(resolved, stripUndefined(override));
  return resolved;
}

/** The per-model override entry for a model name, if any (key matched after normalisation). */
export function findOverride(b: Behaviour, modelName: string): Partial<ModelBehaviour> | undefined {
  const wanted = normalizeModelName(modelName);
  for (const [key, value] of Object.entries(b.perModel)) {
    if (normalizeModelName(key) === wanted) return value;
  }
  return undefined;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Merges a validated patch into a behaviour (returns a new object; the input is not modified). */
export function applyPatch(b: Behaviour, patch: BehaviourPatch): Behaviour {
  const next: Behaviour = { ...b, perModel: { ...b.perModel } };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || key === 'perModel') continue;
    (next as unknown as Record<string, unknown>)[key] = value;
  }
  for (const [model, override] of Object.entries(patch.perModel ?? {})) {
    const existingKey = Object.keys(next.perModel).find((k) => normalizeModelName(k) === normalizeModelName(model));
    const key = existingKey ?? model;
    if (override === null) {
      delete next.perModel[key];
    } else {
      next.perModel[key] = { ...next.perModel[key], ...stripUndefined(override) };
    }
  }
  return next;
}

/** A JSON-safe copy of a behaviour (Infinity tokensPerSecond becomes null). */
export function behaviourToJson(b: Behaviour): unknown {
  return JSON.parse(JSON.stringify(b)) as unknown;
}
