import type { ConnectionTestResult, SettingsTarget } from '../common/settings';

type Fetch = typeof fetch;

interface Probe {
  path: string;
  init?: RequestInit;
  /** What a good answer says (a short name for the message). */
  describe: (response: Response) => Promise<string | null>;
}

const probes: Record<SettingsTarget, Probe> = {
  ollama: {
    path: '/api/version',
    describe: async (r) => {
      const body = (await r.json().catch(() => null)) as { version?: string } | null;
      return body?.version ? `Ollama ${body.version}` : null;
    },
  },
  // An empty export request: a collector answers 200 (or 400 for an empty body), never 404.
  otlp: {
    path: '/v1/traces',
    init: { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array() },
    describe: async (r) => (r.status === 200 || r.status === 400 ? 'OTLP/HTTP receiver answering' : null),
  },
  grafana: {
    path: '/api/health',
    describe: async (r) => {
      const body = (await r.json().catch(() => null)) as { version?: string; database?: string } | null;
      return body?.database === 'ok' ? `Grafana ${body.version ?? ''}`.trim() : null;
    },
  },
  prometheus: { path: '/-/ready', describe: async (r) => (r.ok ? 'Prometheus ready' : null) },
  alertmanager: { path: '/-/ready', describe: async (r) => (r.ok ? 'Alertmanager ready' : null) },
};

/**
 * "Test connection" for each endpoint of the settings form: one request to a path that only the
 * expected service answers, within a few seconds, with a message that says what was found.
 */
export async function testConnection(target: SettingsTarget, url: string, fetchFn: Fetch = fetch, timeoutMs = 4000): Promise<ConnectionTestResult> {
  let base: URL;
  try {
    base = new URL(url);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return { target, url, ok: false, message: `'${url}' is not an http(s) URL`, latencyMs: null };
  }
  const probe = probes[target];
  const started = performance.now();
  try {
    const response = await fetchFn(new URL(probe.path, base.href.endsWith('/') ? base.href : `${base.href}/`).href.replace(/([^:])\/\/+/g, '$1/'), { ...probe.init, signal: AbortSignal.timeout(timeoutMs) });
    const latencyMs = Math.round(performance.now() - started);
    const found = await probe.describe(response);
    if (found) return { target, url, ok: true, message: found, latencyMs };
    return { target, url, ok: false, message: `${url} answered HTTP ${response.status} to ${probe.path}: is this really ${target}?`, latencyMs };
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string }; message?: string };
    const reason = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (e.cause?.code ?? e.message ?? String(err));
    return { target, url, ok: false, message: `Cannot reach ${target} at ${url}: ${reason}`, latencyMs: null };
  }
}
