import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrunoError } from '../common/errors';
import { defaultDataDir } from './data-dir';
import { normalizeOllamaHost } from './ollama-host';
import { boundVar, envBindings, getPath, setPath } from './env-bindings';
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

const trimSlash = (value: unknown): unknown => (typeof value === 'string' ? value.replace(/\/+$/, '') || null : value);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/** Deep merge of plain objects; arrays and other values from `over` replace those in `base`. */
export function mergeSettings(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? mergeSettings(out[key] as Record<string, unknown>, value) : value;
  }
  return out;
}

/** The defaults as a settings tree (paths that depend on the data dir resolved). */
function defaultTree(dataDir: string): Record<string, unknown> {
  return {
    ollamaHost: defaults.ollamaHost,
    chatModel: defaults.chatModel,
    server: { host: defaults.serverHost, port: defaults.serverPort },
    stream: { firstChunkTimeoutMs: defaults.firstChunkTimeoutMs, idleChunkTimeoutMs: defaults.idleChunkTimeoutMs },
    healthIntervalMs: defaults.healthIntervalMs,
    grafana: { url: null, tempoDatasourceUid: defaults.tempoDatasourceUid, orgId: 1, dashboards: { ...defaults.dashboards } },
    prometheusUrl: null,
    alertmanagerUrl: null,
    knowledge: { ...defaults.knowledge, storeUri: join(dataDir, 'lancedb'), embedModel: defaults.embedModel },
    telemetry: {
      otlpEndpoint: null,
      otlpProtocol: defaults.otlpProtocol,
      captureContent: false,
      metricsAddr: defaults.metricsAddr,
      agentId: defaults.agentId,
      logLevel: defaults.logLevel,
      piiPatterns: [],
    },
  };
}

/** The environment's values, applied over defaults + file in the table's order. */
function applyEnv(tree: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  for (const binding of envBindings) {
    const name = boundVar(binding, env);
    if (name === undefined) continue;
    const value = binding.value ? binding.value(env[name]!) : env[name];
    if (value !== undefined) setPath(tree, binding.path, value);
  }
}

/** Forms the schema would refuse but that mean something clear: Ollama's host forms, trailing slashes. */
function normalize(tree: Record<string, unknown>): void {
  if (typeof tree.ollamaHost === 'string') tree.ollamaHost = normalizeOllamaHost(tree.ollamaHost);
  for (const path of ['grafana.url', 'prometheusUrl', 'alertmanagerUrl', 'telemetry.otlpEndpoint']) setPath(tree, path, trimSlash(getPath(tree, path)) ?? null);
  for (const path of ['server.apiToken', 'telemetry.metricsToken']) if (getPath(tree, path) === '') setPath(tree, path, undefined);
}

/** Validates a settings tree; the problems by dotted path (empty when valid). */
export function validateSettings(tree: Record<string, unknown>): { settings: Settings | null; problems: Record<string, string> } {
  const result = settingsSchema.safeParse(tree);
  if (!result.success) {
    const problems: Record<string, string> = {};
    for (const issue of result.error.issues) problems[issue.path.join('.') || 'settings'] ??= issue.message;
    return { settings: null, problems };
  }
  const problems: Record<string, string> = {};
  for (const problem of crossFieldProblems(result.data)) {
    const at = problem.indexOf(': ');
    problems[problem.slice(0, at)] ??= problem.slice(at + 2);
  }
  return Object.keys(problems).length ? { settings: null, problems } : { settings: result.data, problems };
}

/** Reads and parses settings.json (null when there is none). */
export function readSettingsFile(filePath: string, readFile: (path: string) => string | null = readIfPresent): Record<string, unknown> | null {
  const text = readFile(filePath);
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isPlainObject(parsed)) throw new Error('not a JSON object');
    return parsed;
  } catch (err) {
    throw new BrunoError('invalid_request', `Settings file ${filePath} is not valid JSON (${(err as Error).message}). Fix or delete it.`);
  }
}

/** The effective settings tree (not yet validated) for a file's content and an environment. */
export function effectiveTree(dataDir: string, fromFile: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const tree = mergeSettings(defaultTree(dataDir), fromFile);
  applyEnv(tree, env);
  tree.dataDir = dataDir;
  normalize(tree);
  return tree;
}

/**
 * Settings = defaults, then the settings file in the data dir, then environment variables
 * (which follow their ecosystems: OLLAMA_HOST, BRUNO_*). Invalid values fail here, at start,
 * with every bad field named, instead of later in the middle of a chat.
 */
export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const env = options.env ?? process.env;
  const dataDir = env.BRUNO_DATA_DIR || defaultDataDir(env);
  const filePath = join(dataDir, settingsFileName);
  const candidate = effectiveTree(dataDir, readSettingsFile(filePath, options.readFile) ?? {}, env);
  const { settings, problems } = validateSettings(candidate);
  if (!settings) {
    const list = Object.entries(problems).map(([path, message]) => `${path}: ${message}`).join('; ');
    throw new BrunoError('invalid_request', `Invalid settings (${filePath} and environment): ${list}`);
  }
  return settings;
}
