import { endianness } from 'node:os';
import { ResponseError } from './chat-stream';
import type { EmbedAnswer } from './embed-port';
import type { HttpChatTransport } from './http-chat-transport';
import { postHttpJson } from './http-post';

/**
 * Embedding over node:http (http-post.ts), on two of Ollama's routes for the same vectors:
 *
 * - A batch (two texts or more: an ingestion's 64 chunks, memory's query with its facts) goes to
 *   `/v1/embeddings` with `encoding_format: "base64"`: each vector comes as one base64 string of
 *   its little-endian float32 bytes. Ollama turns that request into the same embed request as
 *   `/api/embed` (ollama/ollama openai/openai.go), so the vectors are the same bits. Why: reading
 *   64 x 768 JSON numbers (654 KiB) took 4.0 ms of this process's CPU a batch, the base64 answer
 *   (259 KiB) 1.2 ms (tests/bench/embed-wire.ts, docs/benchmarks.md "Scale: the embed answer's
 *   wire format"), and at ingestion speed that CPU is the main thread's.
 * - A single text (a chat turn's query) stays on `/api/embed`, whose answer also carries
 *   `total_duration` and `load_duration` (a cold model load shows on the turn's span); `/v1` has
 *   no timings.
 *
 * Falling back, so that no Ollama or proxy this worked with before is lost:
 * - a non-2xx from `/v1` is asked again on `/api/embed`, and that answer or its error (in Ollama's
 *   own shape, which classifyOllamaError reads: "model not pulled") is the one given. When `/v1`
 *   said the route is not there (404/405/501) and `/api/embed` answered, this client stops using
 *   `/v1`; any other status (a model not pulled, a busy server) leaves it to be tried again.
 * - a 2xx that is not an embeddings answer (a proxy's page, a wrong count, a vector that is not
 *   finite float32) is asked again on `/api/embed`, and the route is dropped when that answers.
 * - vectors as JSON numbers (an Ollama that ignores `encoding_format`) are read as they are, and
 *   the route is dropped: it saves nothing then and has no timings.
 * Unreachable, dropped and aborted requests are not asked again: either route would fail alike.
 */
export function createHttpEmbed(host: string, transport: HttpChatTransport): (body: { model: string; input: string[] }, signal: AbortSignal | undefined) => Promise<EmbedAnswer> {
  const base = host.replace(/\/+$/, '');
  const nativeUrl = new URL(`${base}/api/embed`);
  const openAiUrl = new URL(`${base}/v1/embeddings`);
  // The base64 bytes are little-endian float32; a big-endian host reads JSON numbers instead.
  let openAiUsable = endianness() === 'LE';
  const native = async (body: { model: string; input: string[] }, signal: AbortSignal | undefined): Promise<EmbedAnswer> =>
    JSON.parse((await postHttpJson(nativeUrl, JSON.stringify(body), transport, signal)).toString('utf8')) as EmbedAnswer;

  return async (body, signal) => {
    if (!openAiUsable || body.input.length < 2) return native(body, signal);
    let read: OpenAiRead | null;
    try {
      const answer = await postHttpJson(openAiUrl, JSON.stringify({ model: body.model, input: body.input, encoding_format: 'base64' }), transport, signal);
      read = readOpenAiAnswer(answer, body);
    } catch (err) {
      if (!(err instanceof ResponseError)) throw err;
      const fallback = await native(body, signal);
      if (routeMissing.has(err.status_code)) openAiUsable = false;
      return fallback;
    }
    if (read?.base64) return read.answer;
    if (read) {
      openAiUsable = false;
      return read.answer;
    }
    const fallback = await native(body, signal);
    openAiUsable = false;
    return fallback;
  };
}

/** Statuses that say "no such route here" rather than "not this request". */
const routeMissing = new Set([404, 405, 501]);

interface OpenAiRead {
  answer: EmbedAnswer;
  /** false: the vectors came as JSON numbers. */
  base64: boolean;
}

/** The vectors of a `/v1/embeddings` answer in input order, or null when the body is not one. */
function readOpenAiAnswer(body: Buffer, request: { model: string; input: string[] }): OpenAiRead | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { data, model, usage } = parsed as { data?: unknown; model?: unknown; usage?: { prompt_tokens?: unknown } | null };
  if (!Array.isArray(data) || data.length !== request.input.length) return null;
  const embeddings = new Array<Float32Array>(data.length);
  let base64 = true;
  for (const item of data as { embedding?: unknown; index?: unknown }[]) {
    const index = item?.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= data.length || embeddings[index]) return null;
    const vector = typeof item.embedding === 'string' ? float32FromBase64(item.embedding) : float32FromNumbers(item.embedding);
    if (!vector) return null;
    if (typeof item.embedding !== 'string') base64 = false;
    embeddings[index] = vector;
  }
  const tokens = usage?.prompt_tokens;
  return {
    answer: { model: typeof model === 'string' && model ? model : request.model, embeddings, ...(typeof tokens === 'number' ? { prompt_eval_count: tokens } : {}) },
    base64,
  };
}

function float32FromBase64(text: string): Float32Array | null {
  const size = Buffer.byteLength(text, 'base64');
  if (size === 0 || size % 4 !== 0) return null;
  // Decoded straight into the vector's own memory: a decoded Buffer may sit in Node's pool at an
  // offset not divisible by 4 (no Float32Array view of it), and copying it out cost an
  // allocation and a copy a vector.
  const vector = new Float32Array(size / 4);
  if (Buffer.from(vector.buffer).write(text, 'base64') !== size) return null;
  return allFinite(vector) ? vector : null;
}

function float32FromNumbers(value: unknown): Float32Array | null {
  if (!Array.isArray(value) || value.length === 0 || !value.every((x) => typeof x === 'number')) return null;
  const vector = Float32Array.from(value as number[]);
  return allFinite(vector) ? vector : null;
}

function allFinite(vector: Float32Array): boolean {
  for (let i = 0; i < vector.length; i++) if (!Number.isFinite(vector[i])) return false;
  return true;
}
