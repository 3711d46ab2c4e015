import { BrokeOff, type GetText, type TextAnswer } from './http-get';

/**
 * GET a JSON API (Prometheus, Loki, Tempo) through `get` (http-get.ts); every failure becomes the
 * sentence the model reads: "Prometheus answered 400: parse error at char 5", "Loki at
 * http://127.0.0.1:3100 could not be reached (ECONNREFUSED)". An abort (the turn's timeout or
 * stop) is rethrown: the turn words it.
 */
export type JsonAnswer = { ok: true; body: unknown } | { ok: false; error: string };

const maxBodyChars = 8 * 1024 * 1024;

/** The socket error's code (node:http's error, or fetch's cause), else its message. */
function reasonOf(err: unknown): string {
  const own = (err as { code?: unknown })?.code;
  if (typeof own === 'string') return own;
  const cause = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

export async function getJson(get: GetText, service: string, url: URL, signal: AbortSignal): Promise<JsonAnswer> {
  let answer: TextAnswer;
  try {
    answer = await get(url, signal, maxBodyChars);
  } catch (err) {
    if (signal.aborted) throw err;
    if (err instanceof BrokeOff) return { ok: false, error: `${service} broke off its answer (${reasonOf(err.reason)})` };
    return { ok: false, error: `${service} at ${url.origin} could not be reached (${reasonOf(err)})` };
  }
  const { status, statusText, text } = answer;
  if (text === null) return { ok: false, error: `${service} answered more than ${maxBodyChars / 1024 / 1024} MB; narrow the query` };
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = undefined;
  }
  if (status < 200 || status > 299) {
    // Prometheus and Loki put the reason in `error` (Loki sometimes as plain text).
    const detail = body && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string' ? (body as { error: string }).error : text.trim().slice(0, 300) || statusText;
    return { ok: false, error: `${service} answered ${status}: ${detail}` };
  }
  if (body === undefined) return { ok: false, error: `${service} answered something that is not JSON` };
  return { ok: true, body };
}

/** The base URL joined with an API path, keeping a path prefix the base may have (a proxy). */
export function apiUrl(base: string, path: string, query: Record<string, string | undefined> = {}): URL {
  const url = new URL(base.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
  return url;
}
