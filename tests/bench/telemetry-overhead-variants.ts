/**
 * The telemetry overhead bench's variants: the same chat request through the bare ollama-js
 * client, core/llm's client, the agent's turn with and without telemetry, and whole cores
 * exporting to a receiver that answers, a closed port or a receiver that hangs.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ollama, type ChatResponse } from 'ollama';
import { createAgent } from '../../core/agent';
import { createSettingsStore, loadSettings } from '../../core/config';
import { createContextWindowResolver, createOllamaClient } from '../../core/llm';
import { createInMemoryConversationStore } from '../../core/memory';
import { serviceName } from '../../core/common/metric-names';
import { createCore, type Core } from '../../core/runtime';
import { createTelemetry } from '../../core/telemetry/create-telemetry';
import { createLogger, type Logger } from '../../core/telemetry/logging';
import { createPiiRedactor } from '../../core/pii';
import { MODEL, type VariantName } from './telemetry-overhead-options';

/** A port that refuses connections: bound, read, closed. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RequestResult {
  text: string;
  chunks: number;
  /**
   * performance.now() when the caller had the whole answer: the bare client's stream ended, or
   * the turn's `done` (or error) event went out. A turn does some bookkeeping after that (the
   * journal's end record, the telemetry) before the call returns; that part is in `finishedMs`,
   * not in the answer's time.
   */
  answeredAt: number;
  /** Why this request is not a correct answer, or null. */
  problem: string | null;
}

export interface Variant {
  name: VariantName;
  collector: string | null;
  core: Core | null;
  dataDir: string | null;
  warnings: string[];
  run(): Promise<RequestResult>;
  /** Releases what the variant holds besides a core (timers, providers). */
  close?: () => Promise<void>;
  /** Request start to the whole answer (RequestResult.answeredAt). */
  wallMs: number[];
  /** Request start to the call's return: the answer plus the turn's bookkeeping after `done`. */
  finishedMs: number[];
  cpuMs: number[];
  /** Sums per round (one block) of wallMs and finishedMs. */
  roundWallMs: number[];
  roundFinishedMs: number[];
  /** Heap used after a full GC, before and after the variant's heap pass. */
  heapBefore: number;
  heapAfter: number;
  turns: number;
  problems: string[];
}

export function newVariant(name: VariantName, collector: string | null, core: Core | null, dataDir: string | null, warnings: string[], run: () => Promise<RequestResult>): Variant {
  return { name, collector, core, dataDir, warnings, run, wallMs: [], finishedMs: [], cpuMs: [], roundWallMs: [], roundFinishedMs: [], heapBefore: NaN, heapAfter: NaN, turns: 0, problems: [] };
}

/** Reads an ollama-js chat stream the way a plain caller would: concatenate the content. */
export async function readChatStream(stream: AsyncIterable<ChatResponse>, tokens: number): Promise<RequestResult> {
  const read = { text: '', chunks: 0, evalCount: null as number | null };
  for await (const part of stream) readPart(read, part);
  return checkRead(read, tokens, performance.now());
}

/** The same over core/llm's stream, which hands over one batch of chunks per network read. */
export async function readChatBatches(stream: AsyncIterable<ChatResponse[]>, tokens: number): Promise<RequestResult> {
  const read = { text: '', chunks: 0, evalCount: null as number | null };
  for await (const batch of stream) for (const part of batch) readPart(read, part);
  return checkRead(read, tokens, performance.now());
}

export function readPart(read: { text: string; chunks: number; evalCount: number | null }, part: ChatResponse): void {
  const content = part.message?.content;
  if (content) {
    read.text += content;
    read.chunks++;
  }
  if (part.done) read.evalCount = part.eval_count;
}

export function checkRead({ text, chunks, evalCount }: { text: string; chunks: number; evalCount: number | null }, tokens: number, answeredAt: number): RequestResult {
  const problem = evalCount === null ? 'no done chunk' : evalCount !== tokens ? `eval_count ${evalCount}, want ${tokens}` : chunks !== tokens ? `${chunks} content chunks, want ${tokens}` : null;
  return { text, chunks, problem, answeredAt };
}

export function bareVariant(name: VariantName, ollamaUrl: string, tokens: number): Variant {
  const ollama = new Ollama({ host: ollamaUrl });
  return newVariant(name, null, null, null, [], async () =>
    readChatStream(await ollama.chat({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true }), tokens),
  );
}

/** core/llm's client on its own: its one-pass chat stream reader against ollama-js's. */
export function llmVariant(ollamaUrl: string, tokens: number): Variant {
  const client = createOllamaClient({ host: ollamaUrl });
  return newVariant('llm', null, null, null, [], async () =>
    readChatBatches(await client.chatStream({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], signal: new AbortController().signal }), tokens),
  );
}

/** The agent's turn wired as create-core does it, minus telemetry: what the turn loop costs. */
export function agentVariant(ollamaUrl: string, tokens: number): Variant {
  const settings = loadSettings({ env: { BRUNO_DATA_DIR: tmpdir(), OLLAMA_HOST: ollamaUrl, BRUNO_METRICS_ADDR: '' }, readFile: () => null });
  const client = createOllamaClient({ host: ollamaUrl });
  const agent = createAgent({
    client,
    conversations: createInMemoryConversationStore(),
    limits: settings.stream,
    defaultModel: () => MODEL,
    contextWindows: createContextWindowResolver(client),
    onSample: () => {},
  });
  return newVariant('agent', null, null, null, [], () => runTurn(agent, tokens));
}

/** 'agent' plus the turn telemetry, wired the way createCore wires it, and nothing else. */
export function agentWithTelemetryVariant(ollamaUrl: string, tokens: number): Variant {
  const env: Record<string, string> = { BRUNO_DATA_DIR: tmpdir(), OLLAMA_HOST: ollamaUrl, BRUNO_METRICS_ADDR: '' };
  const settings = loadSettings({ env, readFile: () => null });
  const redactor = createPiiRedactor({ customPatterns: settings.telemetry.piiPatterns });
  let logger: Logger | null = null;
  const telemetry = createTelemetry({
    settings: createSettingsStore(settings),
    serviceVersion: 'bench',
    log: (level, message, context, span) => logger?.[level](message, context, span ?? undefined),
    redact: (text) => redactor.redact(text),
    report: () => {},
  });
  const root = createLogger({
    service: { name: serviceName, version: 'bench', environment: 'bench', instanceId: telemetry.instanceId },
    level: settings.telemetry.logLevel,
    dataDir: settings.dataDir,
    file: false,
    stderr: false,
    redactor,
  });
  logger = root.child({ logger: 'core' });
  const client = createOllamaClient({ host: ollamaUrl });
  const agent = createAgent({
    client,
    conversations: createInMemoryConversationStore(),
    limits: settings.stream,
    defaultModel: () => MODEL,
    contextWindows: createContextWindowResolver(client),
    telemetry: telemetry.turns,
    onSample: () => {},
  });
  const variant = newVariant('agent-tel', null, null, null, [], () => runTurn(agent, tokens));
  variant.close = async () => {
    await telemetry.shutdown();
    await root.close();
  };
  return variant;
}

export type TurnStarter = Pick<Core['agent'], 'startTurn'>;

export async function runTurn(agent: TurnStarter, tokens: number): Promise<RequestResult> {
  // Token events carry the text of one network read each; the text is compared with bare's.
  let text = '';
  let answeredAt: number | null = null;
  const turn = agent.startTurn({ message: 'hi', model: MODEL }, (event) => {
    if (event.type === 'token') text += event.text;
    else if (event.type === 'done' || event.type === 'error') answeredAt = performance.now();
  });
  const end = await turn.finished;
  let problem: string | null = null;
  if (end.type !== 'done') problem = `ended ${end.type}: ${end.code} ${end.message}`;
  else if (end.stats.output_tokens !== tokens) problem = `output_tokens ${end.stats.output_tokens}, want ${tokens}`;
  if (answeredAt === null) problem ??= 'no done or error event before the turn finished';
  return { text, chunks: end.type === 'done' ? end.stats.output_tokens : 0, problem, answeredAt: answeredAt ?? performance.now() };
}

export function instrumentedVariant(name: VariantName, ollamaUrl: string, collector: string | null, tokens: number): Variant {
  const dataDir = mkdtempSync(join(tmpdir(), `bruno-bench-${name}-`));
  const env: Record<string, string> = { BRUNO_DATA_DIR: dataDir, OLLAMA_HOST: ollamaUrl, BRUNO_METRICS_ADDR: '' };
  if (collector) env.OTEL_EXPORTER_OTLP_ENDPOINT = collector;
  const settings = loadSettings({ env, readFile: () => null });
  const warnings: string[] = [];
  const core = createCore({
    settings,
    // As the app and `serve` run: the JSON log line of every turn goes to the rotating file in
    // the variant's own data dir (written synchronously, as in the app).
    logging: { file: true },
    env,
    telemetry: { exportTimeoutMs: 2000 },
    warn: (message, detail) => warnings.push(`${message}${detail === undefined ? '' : `: ${detail instanceof Error ? detail.message : String(detail)}`}`),
  });
  return newVariant(name, collector, core, dataDir, warnings, () => runTurn(core.agent, tokens));
}
