import { z } from 'zod';
import { fusionMethods } from '../common/knowledge';
import { piiPatternProblems } from '../pii';

/** The defaults a fresh install runs with: everything on loopback. */
export const defaults = {
  ollamaHost: 'http://127.0.0.1:11434',
  chatModel: 'llama3.1:8b',
  serverHost: '127.0.0.1',
  serverPort: 7878,
  /** Ollama sends nothing while a model loads; a big model can take minutes on a small box. */
  firstChunkTimeoutMs: 300_000,
  /** Between two chunks a healthy model never pauses this long. */
  idleChunkTimeoutMs: 60_000,
  healthIntervalMs: 15_000,
  metricsAddr: '127.0.0.1:9464',
  otlpProtocol: 'http/protobuf',
  agentId: 'agent-bruno',
  logLevel: 'info',
  tempoDatasourceUid: 'tempo',
  dashboards: { ollama: 'bruno-ollama', rag: 'bruno-rag', overview: 'bruno-overview' },
  embedModel: 'nomic-embed-text',
  /** Knowledge base limits: files above maxFileBytes are skipped; chunks are ~chunkChars long. */
  knowledge: { maxFileBytes: 5_000_000, chunkChars: 1200, chunkOverlapChars: 150, embedBatchSize: 32, writeBatchChunks: 256, annIndexMinRows: 50_000, fusion: 'convex' },
} as const;

const httpUrl = (example: string) => z.url({ protocol: /^https?$/, error: `must be an http(s) URL such as ${example}` });
const dashboardUid = z.string().regex(/^[\w-]{1,40}$/, 'letters, digits, _ - only (at most 40)');

const port = z.coerce.number().int().min(0).max(65_535);
const timeoutMs = z.coerce.number().int().min(100).max(3_600_000);

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
  healthIntervalMs: timeoutMs,
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
  }),
  telemetry: z.strictObject({
    /** Base OTLP endpoint; null = no export (and no errors about it). */
    otlpEndpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:4318' }).nullable(),
    otlpProtocol: z.enum(['http/protobuf', 'grpc'], { error: "must be 'http/protobuf' or 'grpc'" }),
    /** Prompts and answers in spans: off unless the user opts in; redacted even then. */
    captureContent: z.boolean(),
    /** host:port of the Prometheus /metrics endpoint; empty string = off. */
    metricsAddr: z.string().regex(/^$|^(\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:9464 (empty to turn it off)'),
    /** Required when metricsAddr is beyond loopback. */
    metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
    agentId: z.string().min(1).max(64).regex(/^[\w.-]+$/, 'letters, digits, . _ - only'),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']),
    /** Extra PII patterns (regex sources) redacted from logs and captured content. */
    piiPatterns: z.array(z.strictObject({ name: z.string().min(1), pattern: z.string().min(1), replacement: z.string().optional() })),
  }),
});

export type Settings = z.infer<typeof settingsSchema>;

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** host of a host:port string (IPv6 in brackets allowed). */
export function hostOf(addr: string): string {
  return addr.replace(/:\d+$/, '');
}

export function isLoopbackHost(host: string): boolean {
  return loopbackHosts.has(host) || host.startsWith('127.');
}

/** Checks that need several fields at once. */
export function crossFieldProblems(settings: Settings): string[] {
  const problems: string[] = [];
  const { metricsAddr, metricsToken } = settings.telemetry;
  if (metricsAddr && !isLoopbackHost(hostOf(metricsAddr)) && !metricsToken) {
    problems.push(`telemetry.metricsAddr: ${metricsAddr} is beyond loopback, so BRUNO_METRICS_TOKEN (telemetry.metricsToken) is required`);
  }
  problems.push(...piiPatternProblems(settings.telemetry.piiPatterns).map((p) => `telemetry.piiPatterns: ${p}`));
  return problems;
}
