import type { Context } from '@opentelemetry/api';

/**
 * The embed port: what the knowledge base and memory call to turn texts into vectors. It lives
 * with the Ollama client (the layer below them); core/telemetry wraps the client into one that
 * also traces and counts each call (`createInstrumentedEmbed`), and tests pass a plain function.
 */
export interface EmbedCall {
  model: string;
  input: string[];
  /** The span to hang the `embeddings <model>` span under (e.g. rag_query > embed_query). */
  parent?: Context;
  signal?: AbortSignal;
}

/**
 * One embed answer. Vectors are Float32Arrays when they came as base64 float32 bytes
 * (`/v1/embeddings`, http-embed.ts) and number arrays when they came as JSON numbers (`/api/embed`);
 * the timings are there only when the route reports them (`/api/embed` does, `/v1` does not).
 */
export interface EmbedAnswer {
  model: string;
  embeddings: ArrayLike<number>[];
  prompt_eval_count?: number;
  total_duration?: number;
  load_duration?: number;
}

export type Embed = (call: EmbedCall) => Promise<EmbedAnswer>;
