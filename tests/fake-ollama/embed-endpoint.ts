/**
 * POST /api/embed and the legacy /api/embeddings: checks the input like Ollama does, loads the
 * model, truncates long inputs to the context and embeds them with the configured embedder.
 * /v1/embeddings (openai-embed-endpoint.ts) runs the same embedding with its own request and
 * answer shapes, as Ollama's OpenAI middleware wraps its native handler.
 */
import type { ServerResponse } from 'node:http';
import { behaviourForModel, type FailureKind } from './behaviour';
import { allocatedContext, embeddingLength } from './catalog';
import { elapsedNs, parseKeepAlive, sleep, untilAborted } from './clock';
import { truncateDimensions } from './embed';
import { type EndpointContext, isRecord, resolveModel } from './endpoint-context';
import { defaultHttpMessage } from './generation';
import { decodeRequest, sendError, sendJson } from './http-io';
import { countTokens } from './tokens';

/** Kinds that make sense for /api/embed (no token stream there). */
const EMBED_FAILURE_KINDS: readonly FailureKind[] = ['http', 'midstream-error', 'drop', 'stall'];

/** What /api/embed answers; the OpenAI route turns it into its own shape. */
export interface NativeEmbedAnswer {
  model: string;
  embeddings: number[][];
  /** Left out of an answer to no input, as Ollama's `omitempty` leaves them out. */
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
}

/** How one route writes an error and an answer. */
export interface EmbedReply {
  error(res: ServerResponse, status: number, message: string): void;
  answer(res: ServerResponse, answer: NativeEmbedAnswer): void;
}

const nativeReply: EmbedReply = { error: sendError, answer: (res, answer) => sendJson(res, 200, answer) };

export async function handleEmbed(
  ctx: EndpointContext,
  legacy: boolean,
  raw: string,
  res: ServerResponse,
  signal: AbortSignal,
  startNs: bigint,
): Promise<void> {
  const decoded = decodeRequest(raw, legacy ? 'EmbeddingRequest' : 'EmbedRequest', legacy ? ['model', 'prompt'] : ['model']);
  if (!decoded.ok) return sendError(res, decoded.status, decoded.error);
  return embedRequest(ctx, legacy, decoded.value, res, signal, startNs, nativeReply);
}

/** The embedding itself, from a decoded native request body (`legacy`: /api/embeddings' shape). */
export async function embedRequest(
  ctx: EndpointContext,
  legacy: boolean,
  body: Record<string, unknown>,
  res: ServerResponse,
  signal: AbortSignal,
  startNs: bigint,
  reply: EmbedReply,
): Promise<void> {
  const model = resolveModel(ctx, res, body.model, reply.error);
  if (!model) return;
  const modelName = body.model as string;

  let inputs: string[];
  if (legacy) {
    inputs = typeof body.prompt === 'string' && body.prompt !== '' ? [body.prompt] : [];
    if (inputs.length === 0) return sendJson(res, 200, { embedding: [] });
  } else {
    const input = body.input;
    if (input === undefined || input === null) inputs = [];
    else if (typeof input === 'string') inputs = input === '' ? [] : [input];
    else if (Array.isArray(input) && input.every((s) => typeof s === 'string')) inputs = input as string[];
    else return reply.error(res, 400, 'invalid input type');
    if (inputs.length === 0) return reply.answer(res, { model: modelName, embeddings: [] });
  }

  const mb = behaviourForModel(ctx.behaviour(), modelName);
  const failure = ctx.takeFailure(modelName, 'embed', EMBED_FAILURE_KINDS);
  if (failure?.kind === 'http') return reply.error(res, failure.status, failure.message ?? defaultHttpMessage(failure.status));
  const options = isRecord(body.options) ? body.options : {};
  const keepAliveMs = parseKeepAlive(body.keep_alive) ?? ctx.behaviour().keepAliveMs;
  const contextLength = allocatedContext(ctx.behaviour(), model, options.num_ctx, ctx.behaviour().numCtx);

  if (!(await ctx.loaded.acquire(model, contextLength, mb.loadMs, keepAliveMs, signal))) return;
  try {
    const loadNs = elapsedNs(startNs);
    let promptEvalCount = 0;
    const texts: string[] = [];
    for (const text of inputs) {
      const count = countTokens(text);
      if (count > contextLength) {
        if (body.truncate === false) return reply.error(res, 400, 'input length exceeds maximum context length');
        texts.push(truncateToTokens(text, contextLength));
        promptEvalCount += contextLength;
      } else {
        texts.push(text);
        promptEvalCount += count;
      }
    }
    if (!(await sleep(mb.promptEvalMs, signal))) return;
    if (failure) {
      if (failure.kind === 'midstream-error') return reply.error(res, 500, failure.message ?? 'failed to generate embedding');
      if (failure.kind === 'drop') {
        res.socket?.destroy();
        return;
      }
      if (failure.kind === 'stall') {
        await untilAborted(signal);
        return;
      }
    }
    const dims = embeddingLength(model);
    const requestedDims = typeof body.dimensions === 'number' ? body.dimensions : undefined;
    const embeddings: number[][] = [];
    for (const text of texts) {
      const vector = await ctx.embedder({ text, model: modelName, dimensions: dims });
      if (vector.length !== dims || vector.some((x) => !Number.isFinite(x))) {
        return reply.error(res, 500, `embedder returned ${vector.length} values, expected ${dims} finite numbers`);
      }
      embeddings.push(legacy ? vector : truncateDimensions(vector, requestedDims));
    }
    if (legacy) return sendJson(res, 200, { embedding: embeddings[0] ?? [] });
    return reply.answer(res, {
      model: modelName,
      embeddings,
      total_duration: elapsedNs(startNs),
      load_duration: loadNs,
      prompt_eval_count: promptEvalCount,
    });
  } finally {
    ctx.loaded.release(model, keepAliveMs);
  }
}

/** The prefix of `text` holding its first `limit` tokens (as countTokens counts them). */
function truncateToTokens(text: string, limit: number): string {
  const re = /[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;
  let end = 0;
  for (let i = 0; i < limit; i++) {
    const match = re.exec(text);
    if (!match) return text;
    end = match.index + match[0].length;
  }
  return text.slice(0, end);
}
