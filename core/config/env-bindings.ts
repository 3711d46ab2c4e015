/**
 * Every environment variable the settings read, in one table: the loader applies it, and the
 * settings editor uses it to tell which fields the environment pins (a file edit cannot change
 * them). Variables follow their ecosystems (OLLAMA_HOST, OTEL_*, PROMETHEUS_URL) or are BRUNO_*.
 */
export interface EnvBinding {
  /** The first variable that is set wins. */
  vars: string[];
  /** Dotted settings path. */
  path: string;
  /** Turns the raw string into the setting's value (undefined = leave the setting alone). */
  value?: (raw: string) => unknown;
  /** Empty strings count as set (BRUNO_METRICS_ADDR='' turns /metrics off). */
  emptyIsValue?: boolean;
}

export const truthy = (value: string) => /^(1|true|yes|on)$/i.test(value.trim());

export const envBindings: EnvBinding[] = [
  { vars: ['OLLAMA_HOST'], path: 'ollamaHost', emptyIsValue: true },
  { vars: ['BRUNO_CHAT_MODEL'], path: 'chatModel' },
  { vars: ['BRUNO_HOST'], path: 'server.host' },
  { vars: ['BRUNO_PORT'], path: 'server.port' },
  { vars: ['BRUNO_API_TOKEN'], path: 'server.apiToken' },
  { vars: ['BRUNO_FIRST_CHUNK_TIMEOUT_MS'], path: 'stream.firstChunkTimeoutMs' },
  { vars: ['BRUNO_IDLE_CHUNK_TIMEOUT_MS'], path: 'stream.idleChunkTimeoutMs' },
  { vars: ['BRUNO_GRAFANA_URL'], path: 'grafana.url' },
  { vars: ['BRUNO_TEMPO_DATASOURCE_UID'], path: 'grafana.tempoDatasourceUid' },
  { vars: ['BRUNO_GRAFANA_ORG_ID'], path: 'grafana.orgId' },
  { vars: ['PROMETHEUS_URL', 'BRUNO_PROMETHEUS_URL'], path: 'prometheusUrl' },
  { vars: ['ALERTMANAGER_URL', 'BRUNO_ALERTMANAGER_URL'], path: 'alertmanagerUrl' },
  { vars: ['BRUNO_STORE_URI'], path: 'knowledge.storeUri' },
  { vars: ['BRUNO_EMBED_MODEL'], path: 'knowledge.embedModel' },
  { vars: ['BRUNO_KB_FUSION'], path: 'knowledge.fusion' },
  { vars: ['OTEL_EXPORTER_OTLP_ENDPOINT'], path: 'telemetry.otlpEndpoint' },
  // Applied after the endpoint: the standard switch turns all export off whatever else says.
  { vars: ['OTEL_SDK_DISABLED'], path: 'telemetry.otlpEndpoint', value: (raw) => (truthy(raw) ? null : undefined) },
  { vars: ['OTEL_EXPORTER_OTLP_PROTOCOL'], path: 'telemetry.otlpProtocol' },
  // OpenLLMetry's TRACELOOP_TRACE_CONTENT is honoured when the app's own variable is not set.
  { vars: ['BRUNO_CAPTURE_CONTENT', 'TRACELOOP_TRACE_CONTENT'], path: 'telemetry.captureContent', value: truthy },
  { vars: ['BRUNO_METRICS_ADDR'], path: 'telemetry.metricsAddr', emptyIsValue: true },
  { vars: ['BRUNO_METRICS_TOKEN'], path: 'telemetry.metricsToken' },
  { vars: ['BRUNO_AGENT_ID'], path: 'telemetry.agentId' },
  { vars: ['BRUNO_LOG_LEVEL'], path: 'telemetry.logLevel' },
];

/** The variable of a binding that is set in `env`, if any. */
export function boundVar(binding: EnvBinding, env: NodeJS.ProcessEnv): string | undefined {
  return binding.vars.find((v) => env[v] !== undefined && (binding.emptyIsValue || env[v] !== ''));
}

/** Dotted paths that the environment sets (and a file edit therefore cannot change). */
export function pinnedByEnv(env: NodeJS.ProcessEnv): string[] {
  return [...new Set(envBindings.filter((b) => boundVar(b, env) !== undefined && (b.value?.(env[boundVar(b, env)!]!) ?? true) !== undefined).map((b) => b.path))];
}

export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (!next || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}

export function getPath(source: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), source);
}
