import { z } from 'zod';
import { fusionMethods } from '../common/knowledge';
import { toolPolicies } from '../common/tools';
import { piiPatternProblems } from '../pii';

const httpUrl = (example: string) => z.url({ protocol: /^https?$/, error: `must be an http(s) URL such as ${example}` });
const dashboardUid = z.string().regex(/^[\w-]{1,40}$/, 'letters, digits, _ - only (at most 40)');

const port = z.coerce.number({ error: 'must be a port number (0-65535)' }).int('must be a whole number').min(0).max(65_535);
const milliseconds = (min: number, max: number) =>
  z.coerce.number({ error: 'must be a number of milliseconds' }).int('must be a whole number of milliseconds').min(min, `must be at least ${min} ms`).max(max, `must be at most ${max} ms`);
const timeoutMs = milliseconds(100, 3_600_000);
const stringMap = z.record(z.string().min(1).max(256), z.string().max(4096));
const toolName = z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'a tool name: letters, digits, _ . - (at most 64)');
const mcpServerName = z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/, 'a server name: letters, digits, _ - (at most 40; it prefixes its tools as name.tool)');

/**
 * An MCP server in the shape other MCP hosts use (`mcpServers` of Claude Desktop, Cursor, ...):
 * a command the app runs (stdio) or a URL (streamable HTTP). `disabled` keeps it configured but off.
 */
export const mcpServerSchema = z.union([
  z.strictObject({
    command: z.string().min(1).max(1024),
    args: z.array(z.string().max(4096)).max(100).default([]),
    env: stringMap.default({}),
    cwd: z.string().min(1).max(1024).optional(),
    disabled: z.boolean().default(false),
  }),
  z.strictObject({
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:8000/mcp' }),
    headers: stringMap.default({}),
    disabled: z.boolean().default(false),
  }),
]);
export type McpServerSettings = z.infer<typeof mcpServerSchema>;

/** OTEL_TRACES_SAMPLER values of the OpenTelemetry SDK environment specification. */
export const tracesSamplers = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;

/**
 * The shape and rules of every setting. Defaults, environment variables and which fields apply
 * live are in setting-table.ts, one row per leaf of this schema (a test holds the two together).
 */
export const settingsSchema = z.strictObject({
  ollamaHost: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:11434' }),
  chatModel: z.string().min(1, 'must name a model, e.g. llama3.1:8b'),
  server: z.strictObject({
    host: z.string().min(1),
    port,
    /** Empty means: generate one at start and print it with the URL. */
    apiToken: z.string().min(16, 'must be at least 16 characters').optional(),
  }),
  stream: z.strictObject({
    firstChunkTimeoutMs: timeoutMs,
    idleChunkTimeoutMs: timeoutMs,
  }),
  healthIntervalMs: milliseconds(1000, 3_600_000),
  dataDir: z.string().min(1),
  /** Grafana for one-click links (dashboards, Explore/Tempo traces); null = links open in-app views. */
  grafana: z.strictObject({
    url: httpUrl('http://127.0.0.1:3000').nullable(),
    tempoDatasourceUid: z.string().min(1).max(100),
    orgId: z.coerce.number().int().min(1),
    dashboards: z.strictObject({ ollama: dashboardUid, rag: dashboardUid, overview: dashboardUid }),
  }),
  /** Remote alert sources; null = alerts are evaluated in-process from the app's own metrics. */
  prometheusUrl: httpUrl('http://127.0.0.1:9090').nullable(),
  alertmanagerUrl: httpUrl('http://127.0.0.1:9093').nullable(),
  /** Tempo's own API (traces of other services); null = traces come from the in-app store. */
  tempoUrl: httpUrl('http://127.0.0.1:3200').nullable(),
  /** Loki for log queries; null = none. */
  lokiUrl: httpUrl('http://127.0.0.1:3100').nullable(),
  /** The knowledge base (core/rag): a LanceDB store at a URI (a folder, later s3://bucket/path). */
  knowledge: z.strictObject({
    storeUri: z.string().min(1, 'must be a folder or a URI such as s3://bucket/path'),
    embedModel: z.string().min(1, 'must name an embedding model, e.g. nomic-embed-text'),
    maxFileBytes: z.coerce.number().int().min(1).max(1_000_000_000),
    chunkChars: z.coerce.number().int().min(200).max(20_000),
    chunkOverlapChars: z.coerce.number().int().min(0).max(5_000),
    embedBatchSize: z.coerce.number().int().min(1).max(1024),
    /** Chunks written per commit (delete + add + file markers); smaller = finer crash resume. */
    writeBatchChunks: z.coerce.number().int().min(1).max(100_000),
    /** Rows from which an ANN vector index is built in the background (flat scan below). */
    annIndexMinRows: z.coerce.number().int().min(256),
    /** How hybrid search fuses vector and full-text results (core/rag/search.ts). */
    fusion: z.enum(fusionMethods, { error: "must be 'convex' or 'rrf'" }),
    /** Folders ingest roots must lie in (core/rag/root-policy.ts); `~` is the home folder. */
    allowedRoots: z
      .array(z.string().max(4096).refine((p) => p === '~' || p.startsWith('~/') || p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute folder path or ~ (the home folder)'))
      .max(100, 'at most 100 folders'),
    /**
     * Retrieval evaluation in the serving app: `set` a JSON Lines file of labelled queries (null =
     * none); it runs after each ingestion (`afterIngest`) and every `intervalHours` (0 = no schedule).
     */
    eval: z.strictObject({
      set: z.string().trim().min(1, 'must be the path of a JSON Lines file of labelled queries').max(4096).nullable(),
      afterIngest: z.boolean(),
      intervalHours: z.coerce.number({ error: 'must be a number of hours' }).min(0, 'must be 0 (no schedule) or a positive number of hours').max(24 * 90, 'must be at most 2160 hours (90 days)'),
    }),
  }),
  /** The answer judge (LLM-as-judge after `done`, off the answer's path; core/eval/answer-judge.ts). */
  judge: z.strictObject({
    /** Share of finished turns judged (0 = none, 1 = every one). */
    sampleRate: z.coerce.number({ error: 'must be a number from 0 to 1' }).min(0, 'must be a number from 0 to 1').max(1, 'must be a number from 0 to 1'),
    /** The model that judges; null = the model that answered. */
    model: z.string().trim().min(1, 'must name a model, e.g. llama3.1:8b (or null for the chat model)').max(200).nullable(),
  }),
  /** Tools the model may call in a turn (core/tools) and their limits. */
  tools: z.strictObject({
    /** The user's choice per tool name; a tool not named here gets its default (defaultPolicy). */
    policy: z.record(toolName, z.enum(toolPolicies, { error: "must be 'off', 'ask' or 'allow'" })),
    /** Model -> tools -> model rounds in one turn before the model must answer. */
    maxRounds: z.coerce.number({ error: 'must be a whole number from 0 to 20' }).int('must be a whole number').min(0).max(20),
    callTimeoutMs: milliseconds(100, 600_000),
    /** A result longer than this (in tokens, about 4 characters each) is cut, with a note saying so. */
    resultTokenBudget: z.coerce.number({ error: 'must be a number of tokens' }).int().min(50).max(100_000),
  }),
  /** MCP servers whose tools join the built-in ones as `server.tool` (core/tools/mcp). */
  mcpServers: z.record(mcpServerName, mcpServerSchema),
  telemetry: z.strictObject({
    /** Base OTLP endpoint; null = no export (and no errors about it). */
    otlpEndpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:4318' }).nullable(),
    otlpProtocol: z.enum(['http/protobuf', 'grpc'], { error: "must be 'http/protobuf' or 'grpc'" }),
    /** Full per-signal URLs (OTLP/HTTP); null = `<otlpEndpoint>/v1/<signal>`. */
    otlpSignalEndpoints: z.strictObject({
      traces: httpUrl('http://127.0.0.1:4318/v1/traces').nullable(),
      metrics: httpUrl('http://127.0.0.1:4318/v1/metrics').nullable(),
      logs: httpUrl('http://127.0.0.1:4318/v1/logs').nullable(),
    }),
    /** Sent with every export (a collector's auth token): a secret. */
    otlpHeaders: stringMap,
    otlpTimeoutMs: milliseconds(1, 600_000),
    serviceName: z.string().min(1).max(200),
    /** Extra resource attributes; `service.version` and `service.instance.id` are the app's own. */
    resourceAttributes: stringMap,
    /** `service.environment` of the log lines. */
    environment: z.string().min(1).max(100),
    tracesSampler: z.enum(tracesSamplers, { error: `must be one of ${tracesSamplers.join(', ')}` }),
    /** The ratio of the traceidratio samplers (0..1); null = 1. */
    tracesSamplerArg: z.coerce.number({ error: 'must be a number from 0 to 1' }).min(0, 'must be a number from 0 to 1').max(1, 'must be a number from 0 to 1').nullable(),
    metricExportIntervalMs: milliseconds(100, 86_400_000),
    /** null = the smaller of 10 s and the interval (a timeout may not exceed the interval). */
    metricExportTimeoutMs: milliseconds(1, 86_400_000).nullable(),
    /** Prompts and answers in spans: off unless the user opts in; redacted even then. */
    captureContent: z.boolean(),
    /** host:port of the Prometheus /metrics endpoint; empty string = off. */
    metricsAddr: z.string().regex(/^$|^(\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:9464 (empty to turn it off)'),
    /** Required when metricsAddr is beyond loopback. */
    metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
    agentId: z.string().min(1).max(64).regex(/^[\w.-]+$/, 'letters, digits, . _ - only'),
    logLevel: z.enum(['debug', 'info', 'warn', 'error'], { error: 'must be one of debug, info, warn, error' }),
    /** Extra PII patterns (regex sources) redacted from logs and captured content. */
    piiPatterns: z.array(z.strictObject({ name: z.string().min(1), pattern: z.string().min(1), replacement: z.string().optional() })),
    /** A turn whose first token took longer logs a warning (0 = never). */
    slowFirstTokenMs: milliseconds(0, 3_600_000),
    /** A turn that generated slower logs a warning (0 = never). */
    slowTokensPerSecond: z.coerce.number({ error: 'must be a number of tokens per second' }).min(0, 'must be 0 or more').max(100_000, 'must be at most 100000'),
    /** A retrieval (rag_query) that took longer logs a warning (0 = never). */
    slowRetrievalMs: milliseconds(0, 3_600_000),
  }),
});

export type Settings = z.infer<typeof settingsSchema>;

const loopbackNames = new Set(['localhost', '::1', '[::1]']);

/** host of a host:port string (IPv6 in brackets allowed). */
export function hostOf(addr: string): string {
  return addr.replace(/:\d+$/, '');
}

/**
 * A loopback address: `localhost`, `::1`, or an IPv4 literal in 127.0.0.0/8. A name that only
 * starts with `127.` (`127.evil.example`) is a DNS name like any other, resolved anywhere.
 */
export function isLoopbackHost(host: string): boolean {
  if (loopbackNames.has(host.toLowerCase())) return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return !!octets && octets.slice(1).every((o) => Number(o) <= 255);
}

/** Checks that need several fields at once, as `path: message`. */
export function crossFieldProblems(settings: Settings): string[] {
  const problems: string[] = [];
  const { metricsAddr, metricsToken, metricExportIntervalMs, metricExportTimeoutMs } = settings.telemetry;
  if (metricsAddr && !isLoopbackHost(hostOf(metricsAddr)) && !metricsToken) {
    problems.push(`telemetry.metricsAddr: ${metricsAddr} is beyond loopback, so BRUNO_METRICS_TOKEN (telemetry.metricsToken) is required`);
  }
  if (metricExportTimeoutMs !== null && metricExportTimeoutMs > metricExportIntervalMs) {
    problems.push(`telemetry.metricExportTimeoutMs: the export timeout (${metricExportTimeoutMs} ms) may not exceed the export interval (${metricExportIntervalMs} ms): lower OTEL_METRIC_EXPORT_TIMEOUT or raise OTEL_METRIC_EXPORT_INTERVAL`);
  }
  problems.push(...piiPatternProblems(settings.telemetry.piiPatterns).map((p) => `telemetry.piiPatterns: ${p}`));
  return problems;
}

/** The metric export timeout in effect: as set, else the smaller of 10 s and the interval. */
export function effectiveMetricExportTimeoutMs(telemetry: Pick<Settings['telemetry'], 'metricExportIntervalMs' | 'metricExportTimeoutMs'>): number {
  return telemetry.metricExportTimeoutMs ?? Math.min(10_000, telemetry.metricExportIntervalMs);
}
