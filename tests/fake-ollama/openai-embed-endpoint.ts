/**
 * POST /v1/embeddings, Ollama's OpenAI-compatible route (ollama/ollama openai/openai.go): the
 * request `{model, input, dimensions?, encoding_format?}` becomes a native embed request, and the
 * native answer becomes `{object:"list", data:[{object:"embedding", embedding, index}], model,
 * usage}`, each embedding a list of numbers or, with `encoding_format:"base64"`, one base64 string
 * of its little-endian float32 bytes. Errors are OpenAI-shaped: `{"error":{"message","type",
 * "param":null,"code":null}}`. The behaviour's `openAiEmbeddings` plays older servers.
 */
import type { ServerResponse } from 'node:http';
import { embedRequest, type EmbedReply } from './embed-endpoint';
import type { EndpointContext } from './endpoint-context';
import { decodeRequest, sendJson, sendText } from './http-io';

/** openai.NewError: the type follows the status. */
export function sendOpenAiError(res: ServerResponse, status: number, message: string): void {
  const type = status === 400 ? 'invalid_request_error' : status === 404 ? 'not_found_error' : 'api_error';
  sendJson(res, status, { error: { message, type, param: null, code: null } });
}

/** Go's encoding of a []float32 as little-endian bytes in standard base64 (floatsToBase64). */
export function float32Base64(vector: ArrayLike<number>): string {
  return Buffer.from(Float32Array.from(vector).buffer).toString('base64');
}

export async function handleOpenAiEmbed(ctx: EndpointContext, raw: string, res: ServerResponse, signal: AbortSignal, startNs: bigint): Promise<void> {
  const mode = ctx.behaviour().openAiEmbeddings;
  if (mode === 'absent') return sendText(res, 404, '404 page not found');
  const decoded = decodeRequest(raw, 'EmbedRequest', ['model']);
  if (!decoded.ok) return sendOpenAiError(res, decoded.status, decoded.error);
  const body = decoded.value;
  const input = body.input === '' ? [''] : body.input;
  if (input === undefined || input === null || (Array.isArray(input) && input.length === 0)) return sendOpenAiError(res, 400, 'invalid input');
  const format = mode === 'float' ? '' : body.encoding_format;
  if (format !== undefined && format !== '' && format !== 'float' && format !== 'base64') {
    return sendOpenAiError(res, 400, `invalid value for 'encoding_format' = ${String(format)}. Supported values: ['float', 'base64'].`);
  }
  const base64 = format === 'base64';
  const reply: EmbedReply = {
    error: sendOpenAiError,
    answer: (r, answer) =>
      sendJson(r, 200, {
        object: 'list',
        // A Go nil slice: no vectors is `null`, not `[]`.
        data: answer.embeddings.length ? answer.embeddings.map((e, index) => ({ object: 'embedding', embedding: base64 ? float32Base64(e) : e, index })) : null,
        model: body.model,
        usage: { prompt_tokens: answer.prompt_eval_count ?? 0, total_tokens: answer.prompt_eval_count ?? 0 },
      }),
  };
  const native: Record<string, unknown> = { model: body.model, input, ...(typeof body.dimensions === 'number' ? { dimensions: body.dimensions } : {}) };
  return embedRequest(ctx, false, native, res, signal, startNs, reply);
}
