import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrunoError } from '../common/errors';
import { defaultDataDir } from './data-dir';
import { normalizeOllamaHost } from './ollama-host';
import { crossFieldProblems, defaults, settingsSchema, type Settings } from './schema';

export const settingsFileName = 'settings.json';

export interface LoadSettingsOptions {
  env?: NodeJS.ProcessEnv;
  /** Reads the settings file; injected so tests need no files. Returns null when there is none. */
  readFile?: (path: string) => string | null;
}

function readIfPresent(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new BrunoError('invalid_request', `Cannot read settings file ${path}: ${(err as Error).message}`);
  }
}

const trimSlash = (value: unknown): unknown => (typeof value === 'string' && value ? value.replace(/\/+$/, '') : value || undefined);

const truthy = (value: string) => /^(1|true|yes|on)$/i.test(value.trim());

/** OTEL_SDK_DISABLED turns export off whatever else says; the standard variable wins over the file. */
function otlpEndpoint(env: NodeJS.ProcessEnv, fromFile: unknown): unknown {
  if (env.OTEL_SDK_DISABLED && truthy(env.OTEL_SDK_DISABLED)) return null;
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || fromFile || null;
}

/** BRUNO_CAPTURE_CONTENT, else OpenLLMetry's TRACELOOP_TRACE_CONTENT, else the file; default off. */
function captureContent(env: NodeJS.ProcessEnv, fromFile: unknown): unknown {
  const fromEnv = env.BRUNO_CAPTURE_CONTENT ?? env.TRACELOOP_TRACE_CONTENT;
  if (fromEnv !== undefined) return truthy(fromEnv);
  return fromFile ?? false;
}

/**
 * Settings = defaults, then the settings file in the data dir, then environment variables
 * (which follow their ecosystems: OLLAMA_HOST, BRUNO_*). Invalid values fail here, at start,
 * with every bad field named, instead of later in the middle of a chat.
 */
export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? readIfPresent;
  const dataDir = env.BRUNO_DATA_DIR || defaultDataDir(env);
  const filePath = join(dataDir, settingsFileName);

  let fromFile: Record<string, unknown> = {};
  const text = readFile(filePath);
  if (text !== null) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
      fromFile = parsed as Record<string, unknown>;
    } catch (err) {
      throw new BrunoError('invalid_request', `Settings file ${filePath} is not valid JSON (${(err as Error).message}). Fix or delete it.`);
    }
  }
  const fileServer = (fromFile.server ?? {}) as Record<string, unknown>;
  const fileTelemetry = (fromFile.telemetry ?? {}) as Record<string, unknown>;
  const fileGrafana = (fromFile.grafana ?? {}) as Record<string, unknown>;
  const fileStream = (fromFile.stream ?? {}) as Record<string, unknown>;
  const fileKnowledge = (fromFile.knowledge ?? {}) as Record<string, unknown>;

  const candidate = {
    ...fromFile,
    ollamaHost: normalizeOllamaHost(env.OLLAMA_HOST ?? (fromFile.ollamaHost as string | undefined) ?? defaults.ollamaHost),
    chatModel: env.BRUNO_CHAT_MODEL || fromFile.chatModel || defaults.chatModel,
    server: {
      ...fileServer,
      host: env.BRUNO_HOST || fileServer.host || defaults.serverHost,
      port: env.BRUNO_PORT || fileServer.port || defaults.serverPort,
      apiToken: env.BRUNO_API_TOKEN || fileServer.apiToken || undefined,
    },
    stream: {
      firstChunkTimeoutMs: env.BRUNO_FIRST_CHUNK_TIMEOUT_MS || fileStream.firstChunkTimeoutMs || defaults.firstChunkTimeoutMs,
      idleChunkTimeoutMs: env.BRUNO_IDLE_CHUNK_TIMEOUT_MS || fileStream.idleChunkTimeoutMs || defaults.idleChunkTimeoutMs,
    },
    healthIntervalMs: fromFile.healthIntervalMs ?? defaults.healthIntervalMs,
    dataDir,
    grafana: {
      ...fileGrafana,
      url: trimSlash(env.BRUNO_GRAFANA_URL || fileGrafana.url) ?? null,
      tempoDatasourceUid: env.BRUNO_TEMPO_DATASOURCE_UID || fileGrafana.tempoDatasourceUid || defaults.tempoDatasourceUid,
      orgId: env.BRUNO_GRAFANA_ORG_ID || fileGrafana.orgId || 1,
      dashboards: { ...defaults.dashboards, ...((fileGrafana.dashboards ?? {}) as object) },
    },
    prometheusUrl: trimSlash(env.PROMETHEUS_URL || env.BRUNO_PROMETHEUS_URL || fromFile.prometheusUrl) ?? null,
    alertmanagerUrl: trimSlash(env.ALERTMANAGER_URL || env.BRUNO_ALERTMANAGER_URL || fromFile.alertmanagerUrl) ?? null,
    knowledge: {
      ...defaults.knowledge,
      ...fileKnowledge,
      storeUri: env.BRUNO_STORE_URI || fileKnowledge.storeUri || join(dataDir, 'lancedb'),
      embedModel: env.BRUNO_EMBED_MODEL || fileKnowledge.embedModel || defaults.embedModel,
    },
    telemetry: {
      ...fileTelemetry,
      otlpEndpoint: otlpEndpoint(env, fileTelemetry.otlpEndpoint),
      otlpProtocol: env.OTEL_EXPORTER_OTLP_PROTOCOL || fileTelemetry.otlpProtocol || defaults.otlpProtocol,
      captureContent: captureContent(env, fileTelemetry.captureContent),
      metricsAddr: env.BRUNO_METRICS_ADDR ?? fileTelemetry.metricsAddr ?? defaults.metricsAddr,
      metricsToken: env.BRUNO_METRICS_TOKEN || fileTelemetry.metricsToken || undefined,
      agentId: env.BRUNO_AGENT_ID || fileTelemetry.agentId || defaults.agentId,
      logLevel: env.BRUNO_LOG_LEVEL || fileTelemetry.logLevel || defaults.logLevel,
      piiPatterns: fileTelemetry.piiPatterns ?? [],
    },
  };

  const result = settingsSchema.safeParse(candidate);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; ');
    throw new BrunoError('invalid_request', `Invalid settings (${filePath} and environment): ${problems}`);
  }
  const problems = crossFieldProblems(result.data);
  if (problems.length) throw new BrunoError('invalid_request', `Invalid settings (${filePath} and environment): ${problems.join('; ')}`);
  return result.data;
}
