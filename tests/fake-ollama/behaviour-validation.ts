/**
 * Checking a behaviour patch before it is merged (behaviour.ts): configure() throws on a bad
 * patch (a typo in a test should fail loudly, not be ignored); over HTTP the message comes back
 * as a 400.
 */

import type { BehaviourPatch, Failure, FailureKind, FakeEndpoint, FakeModel, FakeToolCall, ModelBehaviour } from './behaviour';
import type { StructuredBehaviour } from './structured';

export class BehaviourError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BehaviourError';
  }
}

const ENDPOINTS: readonly FakeEndpoint[] = ['chat', 'generate', 'embed'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(path: string, expected: string, value: unknown): never {
  throw new BehaviourError(`${path}: expected ${expected}, got ${JSON.stringify(value)}`);
}

function checkNumber(path: string, value: unknown, opts: { integer?: boolean; min?: number } = {}): number {
  if (typeof value !== 'number' || Number.isNaN(value)) fail(path, 'a number', value);
  if (opts.integer && !Number.isInteger(value)) fail(path, 'an integer', value);
  if (opts.min !== undefined && value < opts.min) fail(path, `a number >= ${opts.min}`, value);
  return value;
}

function checkString(path: string, value: unknown): string {
  if (typeof value !== 'string') fail(path, 'a string', value);
  return value;
}

function checkTokensPerSecond(path: string, value: unknown): number {
  if (value === null || value === 'Infinity') return Number.POSITIVE_INFINITY;
  return checkNumber(path, value, { min: 0 });
}

function checkFailure(path: string, value: unknown): Failure | null {
  if (value === null) return null;
  if (!isRecord(value)) fail(path, 'a failure object or null', value);
  const allowed: Record<FailureKind, string[]> = {
    http: ['status', 'message'],
    'midstream-error': ['afterTokens', 'message'],
    drop: ['afterTokens'],
    stall: ['afterTokens'],
    'no-done': ['afterTokens'],
    malformed: ['afterTokens', 'line'],
  };
  const kind = value.kind;
  if (typeof kind !== 'string' || !(kind in allowed)) {
    fail(`${path}.kind`, Object.keys(allowed).join('|'), kind);
  }
  const keys = new Set(['kind', 'once', 'endpoints', ...(allowed[kind as FailureKind] ?? [])]);
  for (const key of Object.keys(value)) {
    if (!keys.has(key)) throw new BehaviourError(`${path}: unknown option '${key}' for kind '${kind}'`);
  }
  if (kind === 'http') checkNumber(`${path}.status`, value.status, { integer: true, min: 400 });
  if (value.afterTokens !== undefined) checkNumber(`${path}.afterTokens`, value.afterTokens, { integer: true, min: 0 });
  if (value.message !== undefined) checkString(`${path}.message`, value.message);
  if (value.line !== undefined) {
    const line = checkString(`${path}.line`, value.line);
    if (line.includes('\n')) fail(`${path}.line`, 'a single line', line);
  }
  if (value.once !== undefined && typeof value.once !== 'boolean') fail(`${path}.once`, 'a boolean', value.once);
  if (value.endpoints !== undefined) {
    if (!Array.isArray(value.endpoints)) fail(`${path}.endpoints`, 'an array', value.endpoints);
    for (const e of value.endpoints) {
      if (!ENDPOINTS.includes(e as FakeEndpoint)) fail(`${path}.endpoints[]`, ENDPOINTS.join('|'), e);
    }
  }
  return { ...value } as unknown as Failure;
}

function checkToolCalls(path: string, value: unknown): FakeToolCall[] {
  if (!Array.isArray(value)) fail(path, 'an array', value);
  return value.map((call, i) => {
    if (!isRecord(call)) fail(`${path}[${i}]`, '{name, arguments}', call);
    const name = checkString(`${path}[${i}].name`, call.name);
    // Not only objects: a test can make the model send a string or a list (hostile output).
    return { name, arguments: call.arguments === undefined ? {} : call.arguments };
  });
}

function checkStructured(path: string, value: unknown): StructuredBehaviour {
  if (!isRecord(value)) fail(path, '{values?, mode?}', value);
  for (const key of Object.keys(value)) {
    if (key !== 'values' && key !== 'mode') throw new BehaviourError(`${path}: unknown option '${key}'`);
  }
  if (value.values !== undefined && !isRecord(value.values)) fail(`${path}.values`, 'an object of values by property name', value.values);
  if (value.mode !== undefined && value.mode !== 'valid' && value.mode !== 'malformed') fail(`${path}.mode`, 'valid|malformed', value.mode);
  return { values: (value.values as Record<string, unknown> | undefined) ?? {}, mode: (value.mode as StructuredBehaviour['mode'] | undefined) ?? 'valid' };
}

function checkModelBehaviour(path: string, value: Record<string, unknown>, extraKeys: readonly string[]): Partial<ModelBehaviour> {
  const out: Partial<ModelBehaviour> = {};
  for (const [key, v] of Object.entries(value)) {
    const p = `${path}${path ? '.' : ''}${key}`;
    if (v === undefined) continue;
    switch (key) {
      case 'tokensPerSecond':
        out.tokensPerSecond = checkTokensPerSecond(p, v);
        break;
      case 'loadMs':
      case 'promptEvalMs':
        out[key] = checkNumber(p, v, { min: 0 });
        break;
      case 'replyTokens':
      case 'thinking':
      case 'toolRounds':
        out[key] = checkNumber(p, v, { integer: true, min: 0 });
        break;
      case 'numCtx':
        out.numCtx = checkNumber(p, v, { integer: true, min: 1 });
        break;
      case 'replyText':
      case 'thinkingText':
        out[key] = v === null ? null : checkString(p, v);
        break;
      case 'toolCalls':
        out.toolCalls = checkToolCalls(p, v);
        break;
      case 'obeysToolResults':
        if (typeof v !== 'boolean') fail(p, 'true or false', v);
        out.obeysToolResults = v;
        break;
      case 'failure':
        out.failure = checkFailure(p, v);
        break;
      case 'structured':
        out.structured = checkStructured(p, v);
        break;
      default:
        if (!extraKeys.includes(key)) {
          throw new BehaviourError(`unknown behaviour option '${p}'`);
        }
    }
  }
  return out;
}

function checkModel(path: string, value: unknown): FakeModel {
  if (!isRecord(value)) fail(path, 'a model object', value);
  const known = new Set([
    'name', 'family', 'parameterSize', 'quantization', 'maxContext', 'size', 'embedding',
    'embeddingLength', 'numCtx', 'kvBytesPerToken', 'stop', 'capabilities', 'architecture',
  ]);
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw new BehaviourError(`${path}: unknown model field '${key}'`);
  }
  checkString(`${path}.name`, value.name);
  checkString(`${path}.family`, value.family ?? 'llama');
  checkNumber(`${path}.maxContext`, value.maxContext ?? 4096, { integer: true, min: 1 });
  for (const key of ['embeddingLength', 'numCtx'] as const) {
    if (value[key] !== undefined) checkNumber(`${path}.${key}`, value[key], { integer: true, min: 1 });
  }
  for (const key of ['size', 'kvBytesPerToken'] as const) {
    if (value[key] !== undefined) checkNumber(`${path}.${key}`, value[key], { min: 0 });
  }
  for (const key of ['parameterSize', 'quantization', 'architecture'] as const) {
    if (value[key] !== undefined) checkString(`${path}.${key}`, value[key]);
  }
  for (const key of ['stop', 'capabilities'] as const) {
    const list = value[key];
    if (list !== undefined && (!Array.isArray(list) || list.some((s) => typeof s !== 'string'))) {
      fail(`${path}.${key}`, 'an array of strings', list);
    }
  }
  return {
    family: 'llama',
    parameterSize: '8.0B',
    quantization: 'Q4_K_M',
    maxContext: 4096,
    size: 1_000_000_000,
    ...value,
  } as FakeModel;
}

/**
 * Checks a patch (from code or from JSON) and returns a normalised copy.
 * Throws BehaviourError naming the offending field.
 */
export function validatePatch(input: unknown): BehaviourPatch {
  if (!isRecord(input)) fail('behaviour', 'an object', input);
  const globalKeys = ['models', 'perModel', 'preload', 'version', 'keepAliveMs', 'openAiEmbeddings'] as const;
  const out: BehaviourPatch = checkModelBehaviour('', input, globalKeys);
  if (input.models !== undefined) {
    if (!Array.isArray(input.models)) fail('models', 'an array', input.models);
    out.models = input.models.map((m, i) => checkModel(`models[${i}]`, m));
  }
  if (input.preload !== undefined) {
    if (!Array.isArray(input.preload)) fail('preload', 'an array of model names', input.preload);
    out.preload = input.preload.map((n, i) => checkString(`preload[${i}]`, n));
  }
  if (input.version !== undefined) out.version = checkString('version', input.version);
  if (input.keepAliveMs !== undefined) out.keepAliveMs = checkNumber('keepAliveMs', input.keepAliveMs);
  if (input.openAiEmbeddings !== undefined) {
    if (input.openAiEmbeddings !== 'base64' && input.openAiEmbeddings !== 'float' && input.openAiEmbeddings !== 'absent') fail('openAiEmbeddings', 'base64|float|absent', input.openAiEmbeddings);
    out.openAiEmbeddings = input.openAiEmbeddings;
  }
  if (input.perModel !== undefined) {
    if (!isRecord(input.perModel)) fail('perModel', 'an object keyed by model name', input.perModel);
    const perModel: Record<string, Partial<ModelBehaviour> | null> = {};
    for (const [model, override] of Object.entries(input.perModel)) {
      if (override === null) {
        perModel[model] = null;
        continue;
      }
      if (!isRecord(override)) fail(`perModel.${model}`, 'an object or null', override);
      perModel[model] = checkModelBehaviour(`perModel.${model}`, override, []);
    }
    out.perModel = perModel;
  }
  return out;
}
