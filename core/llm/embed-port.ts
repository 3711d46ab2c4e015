import type { Context } from '@opentelemetry/api';
import type { EmbedResponse } from 'ollama';

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

export type Embed = (call: EmbedCall) => Promise<EmbedResponse>;
