/**
 * GET a JSON API (Prometheus, Loki, Tempo) with the injected fetch; every failure becomes the
 * sentence the model reads: "Prometheus answered 400: parse error at char 5", "Loki at
 * http://127.0.0.1:3100 could not be reached (ECONNREFUSED)". An abort (the turn's timeout or
 * stop) is rethrown: the turn words it.
 */
export type JsonAnswer = { ok: true; body: unknown } | { ok: false; error: string };

const maxBodyChars = 8 * 1024 * 1024;

function reasonOf(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * The body as text, read only up to `maxChars` (null past it, the rest of the body cancelled): a
 * service that answers gigabytes (a broken proxy, an endless stream) must not be held in memory
 * whole before its size is checked.
 */
async function readCapped(response: Response, maxChars: number): Promise<string | null> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    text += decoder.decode(value, { stream: true });
    if (text.length > maxChars) {
      await reader.cancel().catch(() => {});
      return null;
    }
  }
}

export async function getJson(fetchFn: typeof fetch, service: string, url: URL, signal: AbortSignal): Promise<JsonAnswer> {
  let response: Response;
  try {
    response = await fetchFn(url, { headers: { Accept: 'application/json' }, signal });
  } catch (err) {
    if (signal.aborted) throw err;
    return { ok: false, error: `${service} at ${url.origin} could not be reached (${reasonOf(err)})` };
  }
  let text: string | null;
  try {
    text = await readCapped(response, maxBodyChars);
  } catch (err) {
    if (signal.aborted) throw err;
    return { ok: false, error: `${service} broke off its answer (${reasonOf(err)})` };
  }
  if (text === null) return { ok: false, error: `${service} answered more than ${maxBodyChars / 1024 / 1024} MB; narrow the query` };
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    // Prometheus and Loki put the reason in `error` (Loki sometimes as plain text).
    const detail = body && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string' ? (body as { error: string }).error : text.trim().slice(0, 300) || response.statusText;
    return { ok: false, error: `${service} answered ${response.status}: ${detail}` };
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
