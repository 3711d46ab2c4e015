import { BrunoError } from '../common/errors';
import { missingDoneMessage } from './chat-stream';
import { NdjsonLineTooLongError } from './ndjson-reader';

/** Why our side aborted a request, so an abort can be told apart from a dropped connection. */
export type AbortReason = 'cancelled' | 'stalled-first' | 'stalled-idle';

export interface ErrorContext {
  host: string;
  model: string;
  /** Set when the turn's own controller aborted the request. */
  abortReason?: AbortReason | undefined;
  abortAfterMs?: number;
  /** Content chunks received before the failure, for "dropped after N tokens". */
  chunksReceived: number;
}

const unreachableCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function causeCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Maps whatever the `ollama` package, our chat stream reader (chat-stream.ts, same shapes) or
 * fetch threw to one specific, actionable error.
 * ollama-js facts (0.6.4): HTTP errors are `ResponseError` (not exported; name + status_code),
 * an `{"error":...}` line mid-stream is a plain Error with that text, a stream without `done`
 * throws "Did not receive done or success response in stream.", connection refused is
 * `TypeError: fetch failed` with `cause.code`, a connection cut mid-body is `TypeError: terminated`.
 */
export function classifyOllamaError(err: unknown, ctx: ErrorContext): BrunoError {
  if (err instanceof BrunoError) return err;
  const seconds = ((ctx.abortAfterMs ?? 0) / 1000).toFixed(0);
  if (ctx.abortReason === 'cancelled') return new BrunoError('cancelled', 'Stopped.', { cause: err });
  if (ctx.abortReason === 'stalled-first') {
    return new BrunoError('stream_stalled', `Ollama at ${ctx.host} sent nothing for ${seconds} s after the request for '${ctx.model}' - the model may still be loading or be stuck; check \`ollama ps\` and try again.`, { cause: err });
  }
  if (ctx.abortReason === 'stalled-idle') {
    return new BrunoError('stream_stalled', `Ollama stopped sending for ${seconds} s in the middle of the answer (after ${ctx.chunksReceived} chunks) - the model may be stuck; try again.`, { cause: err });
  }

  const e = err as { name?: string; status_code?: number; message?: string };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (e?.name === 'ResponseError' && typeof e.status_code === 'number') {
    if (e.status_code === 404) {
      return new BrunoError('model_not_found', `Model '${ctx.model}' is not pulled - run \`ollama pull ${ctx.model}\``, { cause: err });
    }
    return new BrunoError('ollama_error', `Ollama at ${ctx.host} answered ${e.status_code}: ${message}`, { cause: err });
  }
  const code = causeCode(err);
  if (ctx.chunksReceived === 0 && ((code && unreachableCodes.has(code)) || message === 'fetch failed')) {
    return new BrunoError('ollama_unreachable', `Cannot reach Ollama at ${ctx.host} - is it running?`, { cause: err });
  }
  if (err instanceof NdjsonLineTooLongError) {
    return new BrunoError('ollama_error', `Ollama at ${ctx.host} sent a malformed stream (${message}) - is OLLAMA_HOST really an Ollama server?`, { cause: err });
  }
  if (message === missingDoneMessage) {
    return new BrunoError('stream_interrupted', `The answer from Ollama ended early, without its final message (after ${ctx.chunksReceived} chunks) - try again.`, { cause: err });
  }
  if (message === 'terminated' || code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || e?.name === 'AbortError') {
    return new BrunoError('stream_interrupted', `The connection to Ollama at ${ctx.host} dropped in the middle of the answer (after ${ctx.chunksReceived} chunks) - is Ollama still running?`, { cause: err });
  }
  if (err instanceof Error && err.constructor === Error) {
    // An `{"error": "..."}` line: Ollama failed after it had started answering.
    return new BrunoError('ollama_error', `Ollama failed while answering with '${ctx.model}': ${message}`, { cause: err });
  }
  return new BrunoError('ollama_error', `Unexpected error talking to Ollama at ${ctx.host}: ${message}`, { cause: err });
}
