/**
 * The telemetry overhead bench's variants by name, its target and its command line
 * (telemetry-overhead.ts runs them).
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const TARGET_RATIO = 1.02;
export const MODEL = 'llama3.1:8b';

export type VariantName = 'bare' | 'bare-aa' | 'llm' | 'agent' | 'agent-tel' | 'off' | 'on' | 'dead' | 'hang';
export const ALL_VARIANTS: VariantName[] = ['bare', 'bare-aa', 'llm', 'agent', 'agent-tel', 'off', 'on', 'dead', 'hang'];
/** Rows that get ratios against 'agent' (what is added on top of the bare turn). */
export const ABOVE_AGENT: VariantName[] = ['agent-tel', 'off', 'on', 'dead', 'hang'];
/** The variants the target applies to (the others are the baseline, a control and a breakdown). */
export const TARGETED: VariantName[] = ['off', 'on', 'dead', 'hang'];

export const describeVariant: Record<VariantName, string> = {
  bare: 'ollama-js alone (baseline)',
  'bare-aa': 'ollama-js alone again (A/A control: noise floor)',
  llm: "breakdown: core/llm's client alone (one-pass chat stream reader), no agent, no telemetry",
  agent: 'breakdown: core/agent turn with core/llm and in-memory history; no telemetry, no memory store',
  'agent-tel': "breakdown: 'agent' plus the turn telemetry wired as createCore does (export off, log line); no memory store",
  off: 'createCore, export off (no endpoint)',
  on: 'createCore, exporting to a receiver that answers',
  dead: 'createCore, exporting to a closed port',
  hang: 'createCore, exporting to a receiver that never answers',
};

export interface Options {
  requests: number;
  tokens: number;
  rounds: number;
  warmup: number;
  servers: 'child' | 'inproc';
  variants: VariantName[];
  seed: number;
}

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      requests: { type: 'string', default: '50' },
      tokens: { type: 'string', default: '2000' },
      rounds: { type: 'string', default: '8' },
      warmup: { type: 'string', default: '5' },
      servers: { type: 'string', default: 'child' },
      variants: { type: 'string', default: ALL_VARIANTS.join(',') },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(`usage: npm run bench:telemetry -- [--requests 50] [--tokens 2000] [--rounds 8] [--warmup 5] [--seed 1]
  [--servers child|inproc]   where the fake Ollama and the OTLP receivers run (default: a child process)
  [--variants ${ALL_VARIANTS.join(',')}]   which variants to run (bare is always run)`);
    process.exit(0);
  }
  const positive = (name: string, text: string, min: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${text}`);
    return n;
  };
  if (values.servers !== 'child' && values.servers !== 'inproc') throw new Error(`--servers must be child or inproc, got ${values.servers}`);
  const asked = values.variants.split(',').map((v) => v.trim()).filter(Boolean);
  for (const v of asked) if (!ALL_VARIANTS.includes(v as VariantName)) throw new Error(`unknown variant ${v} (known: ${ALL_VARIANTS.join(', ')})`);
  const variants = ALL_VARIANTS.filter((v) => v === 'bare' || asked.includes(v));
  return {
    requests: positive('requests', values.requests, 1),
    tokens: positive('tokens', values.tokens, 2),
    rounds: positive('rounds', values.rounds, 1),
    warmup: positive('warmup', values.warmup, 0),
    servers: values.servers,
    variants,
    seed: positive('seed', values.seed, 0),
  };
}

/** Which code was measured: the commit, and whether core/ had changes not committed yet. */
export function codeState(): string {
  try {
    const cwd = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'core'], { cwd, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} + uncommitted changes in core/` : commit;
  } catch {
    return 'unknown (no git)';
  }
}
