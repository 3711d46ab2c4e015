import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrunoError } from '../common/errors';
import { defaultDataDir } from './data-dir';
import { applyEnv } from './env-bindings';
import { normalizeOllamaHost } from './ollama-host';
import { crossFieldProblems, settingsSchema, type Settings } from './schema';
import { FromDataDir, settingRows } from './setting-table';
import { forbiddenKeyPath, getPath, isPlainObject, mergeTrees, setPath, type Tree } from './tree-paths';

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

/** The defaults as a settings tree (paths that depend on the data dir resolved). */
export function defaultTree(dataDir: string): Tree {
  const tree: Tree = {};
  for (const row of settingRows) {
    const value = row.default instanceof FromDataDir ? row.default.resolve(dataDir) : structuredClone(row.default);
    if (value !== undefined) setPath(tree, row.path, value);
  }
  return tree;
}

/** Forms the schema would refuse but that mean something clear: Ollama's host forms, trailing slashes. */
function normalize(tree: Tree): void {
  if (typeof tree.ollamaHost === 'string') tree.ollamaHost = normalizeOllamaHost(tree.ollamaHost);
  for (const path of ['grafana.url', 'prometheusUrl', 'alertmanagerUrl', 'tempoUrl', 'lokiUrl', 'telemetry.otlpEndpoint']) setPath(tree, path, trimSlash(getPath(tree, path)) ?? null);
  for (const path of ['server.apiToken', 'telemetry.metricsToken']) if (getPath(tree, path) === '') setPath(tree, path, undefined);
}

/** An effective tree with where its values came from, ready for validation. */
export interface CandidateTree {
  tree: Tree;
  /** Path -> the environment variable that set it. */
  setBy: Record<string, string>;
  /** Problems found before validation (an environment value that cannot be parsed). */
  problems: Record<string, string>;
}

/** Validates a candidate; the problems by dotted path (empty when valid), naming the variable that set a bad value. */
export function validateSettings(candidate: CandidateTree): { settings: Settings | null; problems: Record<string, string> } {
  const problems: Record<string, string> = { ...candidate.problems };
  const setBy = (path: string) => {
    const entry = Object.entries(candidate.setBy).find(([p]) => path === p || path.startsWith(`${p}.`));
    return entry ? ` (from ${entry[1]})` : '';
  };
  const result = settingsSchema.safeParse(candidate.tree);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.join('.') || 'settings';
      problems[path] ??= `${issue.message}${setBy(path)}`;
    }
    return { settings: null, problems };
  }
  for (const problem of crossFieldProblems(result.data)) {
    const at = problem.indexOf(': ');
    problems[problem.slice(0, at)] ??= problem.slice(at + 2);
  }
  return Object.keys(problems).length ? { settings: null, problems } : { settings: result.data, problems };
}

/** Reads and parses settings.json (null when there is none); refuses keys that could reach a prototype. */
export function readSettingsFile(filePath: string, readFile: (path: string) => string | null = readIfPresent): Tree | null {
  const text = readFile(filePath);
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
    if (!isPlainObject(parsed)) throw new Error('not a JSON object');
  } catch (err) {
    throw new BrunoError('invalid_request', `Settings file ${filePath} is not valid JSON (${(err as Error).message}). Fix or delete it.`);
  }
  const hostile = forbiddenKeyPath(parsed);
  if (hostile) throw new BrunoError('invalid_request', `Settings file ${filePath} has the key '${hostile}', which is no setting and is refused: remove it.`);
  return parsed;
}

/** The effective settings tree (not yet validated) for a file's content and an environment. */
export function effectiveTree(dataDir: string, fromFile: Tree, environment: NodeJS.ProcessEnv): CandidateTree {
  const tree = mergeTrees(defaultTree(dataDir), fromFile);
  const { setBy, problems } = applyEnv(tree, environment);
  tree.dataDir = dataDir;
  normalize(tree);
  return { tree, setBy, problems };
}

/**
 * Settings = defaults, then the settings file in the data dir, then environment variables
 * (which follow their ecosystems: OLLAMA_HOST, OTEL_*, BRUNO_*). Invalid values fail here, at
 * start, with every bad field named (and the variable that set it), instead of later in a chat.
 */
export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const environment = options.env ?? process.env;
  const dataDir = environment.BRUNO_DATA_DIR || defaultDataDir(environment);
  const filePath = join(dataDir, settingsFileName);
  const { settings, problems } = validateSettings(effectiveTree(dataDir, readSettingsFile(filePath, options.readFile) ?? {}, environment));
  if (!settings) {
    const list = Object.entries(problems).map(([path, message]) => `${path}: ${message}`).join('; ');
    throw new BrunoError('invalid_request', `Invalid settings (${filePath} and environment): ${list}`);
  }
  return settings;
}
