/**
 * Every setting in one table: its default, the environment variables that set it, and whether
 * it is applied live or is a secret. The loader, the settings editor, the settings view and the
 * README's configuration table all read it; `settingsSchema` (schema.ts) holds the shape and the
 * rules, with one row here per leaf there (tests/unit/settings-table.test.ts holds them together).
 * Variables follow their ecosystems (OLLAMA_HOST, OTEL_*, PROMETHEUS_URL) or are BRUNO_*.
 */
import { delimiter, join } from 'node:path';
import { serviceName } from '../common/metric-names';
import { parseKeyValueList } from './key-value-list';

export interface EnvSource {
  /** The first variable that is set wins. */
  vars: readonly string[];
  /** Turns the raw string into the setting's value; undefined leaves the setting alone; throws on a bad value. */
  parse?: (raw: string) => unknown;
  /** Empty strings count as set (BRUNO_METRICS_ADDR='' turns /metrics off). */
  emptyIsValue?: boolean;
}

export interface SettingRow {
  /** Dotted settings path. */
  path: string;
  /** A value, or computed from the data dir. */
  default: unknown;
  /** Applied in order: a later source wins over an earlier one. */
  env?: readonly EnvSource[];
  /** Takes effect without a restart (read at each use through the settings store). */
  live?: boolean;
  /**
   * Masked in the settings view and the audit log: `true` for a value, `values` for a map's
   * values, `entryMaps` for the values of the named maps inside each entry of a map (the `env`
   * and `headers` of every MCP server).
   */
  secret?: true | 'values' | { entryMaps: readonly string[] };
}

export const truthy = (value: string) => /^(1|true|yes|on)$/i.test(value.trim());
const env = (vars: string | readonly string[], options: Omit<EnvSource, 'vars'> = {}): EnvSource[] => [{ vars: typeof vars === 'string' ? [vars] : vars, ...options }];
const keyValues = (name: string) => (raw: string) => parseKeyValueList(raw, name);

/** A default that depends on the data dir. */
export class FromDataDir {
  constructor(readonly resolve: (dataDir: string) => unknown) {}
}

export const settingRows: readonly SettingRow[] = [
  { path: 'ollamaHost', default: 'http://127.0.0.1:11434', env: env('OLLAMA_HOST', { emptyIsValue: true }) },
  { path: 'chatModel', default: 'llama3.1:8b', env: env('BRUNO_CHAT_MODEL'), live: true },
  { path: 'server.host', default: '127.0.0.1', env: env('BRUNO_HOST') },
  { path: 'server.port', default: 7878, env: env('BRUNO_PORT') },
  { path: 'server.apiToken', default: undefined, env: env('BRUNO_API_TOKEN'), secret: true },
  // Ollama sends nothing while a model loads; a big model can take minutes on a small box.
  { path: 'stream.firstChunkTimeoutMs', default: 300_000, env: env('BRUNO_FIRST_CHUNK_TIMEOUT_MS') },
  // Between two chunks a healthy model never pauses this long.
  { path: 'stream.idleChunkTimeoutMs', default: 60_000, env: env('BRUNO_IDLE_CHUNK_TIMEOUT_MS') },
  { path: 'healthIntervalMs', default: 15_000, env: env('BRUNO_HEALTH_INTERVAL_MS') },
  { path: 'dataDir', default: new FromDataDir((dir) => dir) },
  { path: 'grafana.url', default: null, env: env('BRUNO_GRAFANA_URL'), live: true },
  { path: 'grafana.tempoDatasourceUid', default: 'tempo', env: env('BRUNO_TEMPO_DATASOURCE_UID'), live: true },
  { path: 'grafana.orgId', default: 1, env: env('BRUNO_GRAFANA_ORG_ID'), live: true },
  { path: 'grafana.dashboards.ollama', default: 'bruno-ollama', live: true },
  { path: 'grafana.dashboards.rag', default: 'bruno-rag', live: true },
  { path: 'grafana.dashboards.overview', default: 'bruno-overview', live: true },
  { path: 'prometheusUrl', default: null, env: env(['PROMETHEUS_URL', 'BRUNO_PROMETHEUS_URL']) },
  { path: 'alertmanagerUrl', default: null, env: env(['ALERTMANAGER_URL', 'BRUNO_ALERTMANAGER_URL']) },
  { path: 'tempoUrl', default: null, env: env('BRUNO_TEMPO_URL') },
  { path: 'lokiUrl', default: null, env: env(['LOKI_URL', 'BRUNO_LOKI_URL']) },
  { path: 'knowledge.storeUri', default: new FromDataDir((dir) => join(dir, 'lancedb')), env: env('BRUNO_STORE_URI') },
  { path: 'knowledge.embedModel', default: 'nomic-embed-text', env: env('BRUNO_EMBED_MODEL') },
  // Files above maxFileBytes are skipped; chunks are ~chunkChars long.
  { path: 'knowledge.maxFileBytes', default: 5_000_000 },
  { path: 'knowledge.chunkChars', default: 1200 },
  { path: 'knowledge.chunkOverlapChars', default: 150 },
  { path: 'knowledge.embedBatchSize', default: 32 },
  { path: 'knowledge.writeBatchChunks', default: 256 },
  // The ANN index is built early (a small table builds in about half a second) and rebuilt as the
  // table grows 4x (ann-index.ts): searches during a long job read an index, not a flat scan.
  { path: 'knowledge.annIndexMinRows', default: 4096 },
  { path: 'knowledge.fusion', default: 'convex', env: env('BRUNO_KB_FUSION') },
  // Ingest roots must lie inside one of these (real paths; `~` is the home folder): any holder of
  // the API token can ingest and then read back through kb.search. A PATH-style list in the env.
  { path: 'knowledge.allowedRoots', default: ['~'], env: env('BRUNO_KB_ALLOWED_ROOTS', { parse: (raw) => raw.split(delimiter).map((p) => p.trim()).filter(Boolean) }) },
  // A labelled query set (JSON Lines, as `agent-bruno eval`): the serving app evaluates it itself.
  { path: 'knowledge.eval.set', default: null, env: env('BRUNO_EVAL_SET'), live: true },
  { path: 'knowledge.eval.afterIngest', default: true, env: env('BRUNO_EVAL_AFTER_INGEST', { parse: truthy }), live: true },
  { path: 'knowledge.eval.intervalHours', default: 0, env: env('BRUNO_EVAL_INTERVAL_HOURS') },
  // The answer judge (core/eval/answer-judge.ts): off by default so a homelab GPU is not loaded
  // unasked; null model = the chat model. Both live: the next finished turn reads them.
  { path: 'judge.sampleRate', default: 0, env: env('BRUNO_JUDGE_SAMPLE_RATE'), live: true },
  { path: 'judge.model', default: null, env: env('BRUNO_JUDGE_MODEL'), live: true },
  { path: 'tools.policy', default: {}, live: true },
  // A small model that has not answered after five rounds of tools is looping.
  { path: 'tools.maxRounds', default: 5, env: env('BRUNO_TOOL_MAX_ROUNDS'), live: true },
  { path: 'tools.callTimeoutMs', default: 15_000, env: env('BRUNO_TOOL_TIMEOUT_MS'), live: true },
  // 2,000 tokens of a result leave room for the question and the answer in an 8k context.
  { path: 'tools.resultTokenBudget', default: 2_000, env: env('BRUNO_TOOL_RESULT_TOKENS'), live: true },
  // Live: core/tools/mcp starts, restarts and stops servers as they change. Header and env values
  // carry tokens. Who may change a stdio server's command: core/config/mcp-server-rules.ts.
  { path: 'mcpServers', default: {}, live: true, secret: { entryMaps: ['env', 'headers'] } },
  {
    path: 'telemetry.otlpEndpoint',
    default: null,
    // The standard switch comes after the endpoint: it turns all export off whatever else says.
    env: [{ vars: ['OTEL_EXPORTER_OTLP_ENDPOINT'] }, { vars: ['OTEL_SDK_DISABLED'], parse: (raw) => (truthy(raw) ? null : undefined) }],
  },
  { path: 'telemetry.otlpProtocol', default: 'http/protobuf', env: env('OTEL_EXPORTER_OTLP_PROTOCOL') },
  { path: 'telemetry.otlpSignalEndpoints.traces', default: null, env: env('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') },
  { path: 'telemetry.otlpSignalEndpoints.metrics', default: null, env: env('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT') },
  { path: 'telemetry.otlpSignalEndpoints.logs', default: null, env: env('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT') },
  { path: 'telemetry.otlpHeaders', default: {}, env: env('OTEL_EXPORTER_OTLP_HEADERS', { parse: keyValues('OTEL_EXPORTER_OTLP_HEADERS') }), secret: 'values' },
  { path: 'telemetry.otlpTimeoutMs', default: 10_000, env: env('OTEL_EXPORTER_OTLP_TIMEOUT') },
  { path: 'telemetry.serviceName', default: serviceName, env: env('OTEL_SERVICE_NAME') },
  { path: 'telemetry.resourceAttributes', default: {}, env: env('OTEL_RESOURCE_ATTRIBUTES', { parse: keyValues('OTEL_RESOURCE_ATTRIBUTES') }) },
  { path: 'telemetry.environment', default: 'desktop', env: env('BRUNO_ENVIRONMENT') },
  { path: 'telemetry.tracesSampler', default: 'parentbased_always_on', env: env('OTEL_TRACES_SAMPLER', { parse: (raw) => raw.trim().toLowerCase() }) },
  { path: 'telemetry.tracesSamplerArg', default: null, env: env('OTEL_TRACES_SAMPLER_ARG') },
  { path: 'telemetry.metricExportIntervalMs', default: 15_000, env: env('OTEL_METRIC_EXPORT_INTERVAL') },
  { path: 'telemetry.metricExportTimeoutMs', default: null, env: env('OTEL_METRIC_EXPORT_TIMEOUT') },
  // OpenLLMetry's TRACELOOP_TRACE_CONTENT is honoured when the app's own variable is not set.
  { path: 'telemetry.captureContent', default: false, env: env(['BRUNO_CAPTURE_CONTENT', 'TRACELOOP_TRACE_CONTENT'], { parse: truthy }), live: true },
  { path: 'telemetry.metricsAddr', default: '127.0.0.1:9464', env: env('BRUNO_METRICS_ADDR', { emptyIsValue: true }) },
  { path: 'telemetry.metricsToken', default: undefined, env: env('BRUNO_METRICS_TOKEN'), secret: true },
  { path: 'telemetry.agentId', default: 'agent-bruno', env: env('BRUNO_AGENT_ID') },
  // `warning` is what Python's logging and many operators write.
  { path: 'telemetry.logLevel', default: 'info', env: env('BRUNO_LOG_LEVEL', { parse: (raw) => raw.trim().toLowerCase().replace(/^warning$/, 'warn') }) },
  { path: 'telemetry.piiPatterns', default: [] },
  // The seed's warnings (observability guide 1.1, 2.2.1, 6.3): a turn logs a warning when its
  // first token took longer than OllamaSlowTTFT's 3 s, when it generated slower than
  // OllamaSlowTokenGeneration's 10 tokens/s, or when its retrieval took longer than
  // LanceDBSlowQueries' 0.5 s. A CPU-only homelab raises them instead of drowning in warnings.
  { path: 'telemetry.slowFirstTokenMs', default: 3_000, env: env('BRUNO_SLOW_FIRST_TOKEN_MS'), live: true },
  { path: 'telemetry.slowTokensPerSecond', default: 10, env: env('BRUNO_SLOW_TOKENS_PER_SECOND'), live: true },
  { path: 'telemetry.slowRetrievalMs', default: 500, env: env('BRUNO_SLOW_RETRIEVAL_MS'), live: true },
];

export const livePaths: readonly string[] = settingRows.filter((r) => r.live).map((r) => r.path);
export const secretRows: readonly SettingRow[] = settingRows.filter((r) => r.secret);
export const knownPaths: ReadonlySet<string> = new Set(settingRows.map((r) => r.path));

/** The row a dotted path belongs to (a leaf, or a path inside a map or list setting). */
export function rowOf(path: string): SettingRow | undefined {
  return settingRows.find((r) => path === r.path || path.startsWith(`${r.path}.`));
}

/** The variable of a source that is set in `environment`, if any. */
export function boundVar(source: EnvSource, environment: NodeJS.ProcessEnv): string | undefined {
  return source.vars.find((v) => environment[v] !== undefined && (source.emptyIsValue || environment[v] !== ''));
}
