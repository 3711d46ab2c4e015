/**
 * Errors as the UI sees them: every failure has a `code` and a `message`, whether the core
 * produced it (codes of core/common/errors.ts) or the transport did (`transport`).
 */
export const UNAUTHORIZED_HINT = 'Open the URL printed by `npm run serve` (it carries the token)';

export interface UiError {
  code: string;
  message: string;
}

export class BridgeError extends Error {
  override readonly name = 'BridgeError';
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Anything thrown -> the `{code, message}` the banner shows. */
export function toUiError(err: unknown): UiError {
  if (err && typeof err === 'object' && 'code' in err && 'message' in err) {
    const { code, message } = err as { code: unknown; message: unknown };
    if (typeof code === 'string' && typeof message === 'string') return { code, message };
  }
  if (err instanceof Error) return { code: 'internal', message: err.message };
  return { code: 'internal', message: String(err) };
}
