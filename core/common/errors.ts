/**
 * Error codes that cross the contract. Every failure a user can see has one code and a message
 * that says what to do; transports carry both unchanged so the renderer, the CLI and the public
 * HTTP API all show the same words.
 */
export const errorCodes = [
  'ollama_unreachable',
  'model_not_found',
  'ollama_error',
  'ollama_bad_response',
  'stream_interrupted',
  'stream_stalled',
  'cancelled',
  'invalid_request',
  'unknown_channel',
  'unauthorized',
  'not_found',
  /** The request collides with work in progress (a turn id that is already running). */
  'conflict',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

export class BrunoError extends Error {
  override readonly name = 'BrunoError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}

/** Turns anything thrown into the wire shape without leaking stack traces. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof BrunoError) return err.toInfo();
  if (err && typeof err === 'object' && 'code' in err && 'message' in err) {
    const { code, message } = err as { code: unknown; message: unknown };
    if (isErrorCode(code) && typeof message === 'string') return { code, message };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message: `Internal error: ${message}` };
}
