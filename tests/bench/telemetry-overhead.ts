/**
 * Telemetry overhead: the instrumented chat turn (core.agent, everything the app does per turn)
 * against the bare `ollama` client, on the same fake stream, in one process and one run.
 *
 *   npm run bench:telemetry -- --requests 50 --tokens 2000 --rounds 8   
 *
 * Variants: bare (ollama-js alone), bare-aa (the same again: an A/A control that shows the noise
 * floor), off (no OTLP endpoint), on (a receiver that answers), dead (a closed loopback port),
 * hang (a receiver that accepts and never answers), and three breakdown steps between bare and
 * off: llm (core/llm's client alone), agent (the turn without telemetry or memory store) and
 * agent-tel (that turn plus the telemetry, wired as createCore does). All variants are warmed
 * up, then run in rounds of --requests cycles; a cycle runs one request of each variant in a fresh
 * (seeded) random order, so drift, other work on the machine and GC hit all variants alike. A full
 * GC runs between rounds, never inside one. Heap is measured afterwards, variant by variant.
 * The fake Ollama and the receivers run in a child process by default (--servers inproc to
 * share this one), so on a small machine their work does not blur the client's.
 *
 * Reports per variant: median/p95/sum of per-request wall time from the start to the whole
 * answer (the bare client's end of stream, a turn's done event), the ratio to bare (of the sums
 * and of the medians, the spread of per-round ratios, a bootstrap interval), the per-chunk
 * overhead; the same ratio to the call's return (a turn records its end and telemetry after done); CPU
 * time of this process per request (to the return), heap before/after each variant's own pass;
 * the per-turn telemetry work timed directly; and for the exporting variants the export health
 * and what the receivers got. `npm run bench:telemetry` runs it built as the app is built
 * (run-built.ts); `tsx tests/bench/telemetry-overhead.ts` runs the sources through tsx.
 * Prints PASS/MISS against the target ratio (<= 1.02) but does not fail on it: a benchmark
 * reports. Exit 1 only when a correctness check fails (a turn that did not end 'done' with all
 * tokens, a text that differs from the bare client's, spans not exported or drops not counted).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
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
import { exposeGc } from './bench-gc';
import { startServersHere, startServersInChild, type BenchServers, type CollectorCounts } from './bench-servers';
import { seededRandom } from '../support/seeded-random';
import { bootstrapRatioInterval, mean, median, percentile, sum } from './stats';
import { measureTurnTelemetry, type TurnTelemetryCost } from './turn-telemetry-cost';

const TARGET_RATIO = 1.02;
const MODEL = 'llama3.1:8b';

type VariantName = 'bare' | 'bare-aa' | 'llm' | 'agent' | 'agent-tel' | 'off' | 'on' | 'dead' | 'hang';
const ALL_VARIANTS: VariantName[] = ['bare', 'bare-aa', 'llm', 'agent', 'agent-tel', 'off', 'on', 'dead', 'hang'];
/** Rows that get ratios against 'agent' (what is added on top of the bare turn). */
const ABOVE_AGENT: VariantName[] = ['agent-tel', 'off', 'on', 'dead', 'hang'];
/** The variants the issue's target applies to (the others are the baseline, a control and a breakdown). */
const TARGETED: VariantName[] = ['off', 'on', 'dead', 'hang'];

const describeVariant: Record<VariantName, string> = {
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

interface Options {
  requests: number;
  tokens: number;
  rounds: number;
  warmup: number;
  servers: 'child' | 'inproc';
  variants: VariantName[];
  seed: number;
}

function parseOptions(argv: string[]): Options {
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
function codeState(): string {
  try {
    const cwd = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'core'], { cwd, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} + uncommitted changes in core/` : commit;
  } catch {
    return 'unknown (no git)';
  }
}

/** A port that refuses connections: bound, read, closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface RequestResult {
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

interface Variant {
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

function newVariant(name: VariantName, collector: string | null, core: Core | null, dataDir: string | null, warnings: string[], run: () => Promise<RequestResult>): Variant {
  return { name, collector, core, dataDir, warnings, run, wallMs: [], finishedMs: [], cpuMs: [], roundWallMs: [], roundFinishedMs: [], heapBefore: NaN, heapAfter: NaN, turns: 0, problems: [] };
}

/** Reads an ollama-js chat stream the way a plain caller would: concatenate the content. */
async function readChatStream(stream: AsyncIterable<ChatResponse>, tokens: number): Promise<RequestResult> {
  const read = { text: '', chunks: 0, evalCount: null as number | null };
  for await (const part of stream) readPart(read, part);
  return checkRead(read, tokens, performance.now());
}

/** The same over core/llm's stream, which hands over one batch of chunks per network read. */
async function readChatBatches(stream: AsyncIterable<ChatResponse[]>, tokens: number): Promise<RequestResult> {
  const read = { text: '', chunks: 0, evalCount: null as number | null };
  for await (const batch of stream) for (const part of batch) readPart(read, part);
  return checkRead(read, tokens, performance.now());
}

function readPart(read: { text: string; chunks: number; evalCount: number | null }, part: ChatResponse): void {
  const content = part.message?.content;
  if (content) {
    read.text += content;
    read.chunks++;
  }
  if (part.done) read.evalCount = part.eval_count;
}

function checkRead({ text, chunks, evalCount }: { text: string; chunks: number; evalCount: number | null }, tokens: number, answeredAt: number): RequestResult {
  const problem = evalCount === null ? 'no done chunk' : evalCount !== tokens ? `eval_count ${evalCount}, want ${tokens}` : chunks !== tokens ? `${chunks} content chunks, want ${tokens}` : null;
  return { text, chunks, problem, answeredAt };
}

function bareVariant(name: VariantName, ollamaUrl: string, tokens: number): Variant {
  const ollama = new Ollama({ host: ollamaUrl });
  return newVariant(name, null, null, null, [], async () =>
    readChatStream(await ollama.chat({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true }), tokens),
  );
}

/** core/llm's client on its own: its one-pass chat stream reader against ollama-js's. */
function llmVariant(ollamaUrl: string, tokens: number): Variant {
  const client = createOllamaClient({ host: ollamaUrl });
  return newVariant('llm', null, null, null, [], async () =>
    readChatBatches(await client.chatStream({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], signal: new AbortController().signal }), tokens),
  );
}

/** The agent's turn wired as create-core does it, minus telemetry: what the turn loop costs. */
function agentVariant(ollamaUrl: string, tokens: number): Variant {
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
function agentWithTelemetryVariant(ollamaUrl: string, tokens: number): Variant {
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

type TurnStarter = Pick<Core['agent'], 'startTurn'>;

async function runTurn(agent: TurnStarter, tokens: number): Promise<RequestResult> {
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

function instrumentedVariant(name: VariantName, ollamaUrl: string, collector: string | null, tokens: number): Variant {
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

interface Checker {
  reference: string | null;
  check(variant: Variant, result: RequestResult): void;
}

/** Every answer must be complete and identical to the bare client's (the same fake stream). */
function createChecker(): Checker {
  const checker: Checker = {
    reference: null,
    check(variant, result) {
      variant.turns++;
      if (variant.name === 'bare' && checker.reference === null && result.problem === null) checker.reference = result.text;
      let problem = result.problem;
      if (problem === null && checker.reference !== null && result.text !== checker.reference) {
        problem = `text differs from the bare client's (${result.text.length} vs ${checker.reference.length} chars)`;
      }
      if (problem === null) return;
      if (variant.problems.length < 5) variant.problems.push(problem);
      else if (variant.problems.length === 5) variant.problems.push('... (more like this)');
    },
  };
  return checker;
}

/** Runs one request of a variant, checks it, and records its times (answer, finished, CPU) when asked. */
async function timedRequest(variant: Variant, checker: Checker, record: boolean): Promise<{ wall: number; finished: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await variant.run();
  const finished = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const wall = result.answeredAt - t0;
  checker.check(variant, result);
  if (record) {
    variant.wallMs.push(wall);
    variant.finishedMs.push(finished);
    variant.cpuMs.push((cpu.user + cpu.system) / 1000);
  }
  return { wall, finished };
}

/**
 * One round: --requests cycles, each running one request of every variant in a fresh random
 * order. Other work on the machine comes in bursts of seconds; interleaving request by request
 * spreads a burst over all variants instead of landing on one variant's block, and the shuffle
 * keeps any variant from always following the same one (whose garbage it would collect).
 */
async function timedRound(variants: Variant[], requests: number, checker: Checker, random: () => number, record: boolean): Promise<void> {
  const roundWall = new Map<Variant, number>(variants.map((v) => [v, 0]));
  const roundFinished = new Map<Variant, number>(variants.map((v) => [v, 0]));
  for (let i = 0; i < requests; i++) {
    for (const v of shuffled(variants, random)) {
      const { wall, finished } = await timedRequest(v, checker, record);
      roundWall.set(v, (roundWall.get(v) ?? 0) + wall);
      roundFinished.set(v, (roundFinished.get(v) ?? 0) + finished);
    }
  }
  if (record) {
    for (const v of variants) {
      v.roundWallMs.push(roundWall.get(v) ?? 0);
      v.roundFinishedMs.push(roundFinished.get(v) ?? 0);
    }
  }
}

/** Heap pass: each variant alone for --requests requests, with a full GC before and after. */
async function heapPass(variant: Variant, requests: number, checker: Checker, gc: () => void): Promise<void> {
  gc();
  variant.heapBefore = process.memoryUsage().heapUsed;
  for (let i = 0; i < requests; i++) await timedRequest(variant, checker, false);
  gc();
  variant.heapAfter = process.memoryUsage().heapUsed;
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

async function withTimeout<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface ExportReport {
  status: string;
  dropped: { traces: number; metrics: number; logs: number };
  lastError: string | null;
}

interface Row {
  variant: VariantName;
  requests: number;
  medianMs: number;
  p95Ms: number;
  sumMs: number;
  ratio: number;
  medianRatio: number;
  roundRatioMin: number;
  roundRatioMax: number;
  /** 95% bootstrap interval of the ratio, resampling whole rounds (each with bare's same round). */
  ratioLow: number;
  ratioHigh: number;
  overheadUsPerChunk: number;
  /** The same ratio (and interval) to the call's return, bookkeeping after `done` included. */
  finishedRatio: number;
  finishedRatioLow: number;
  finishedRatioHigh: number;
  cpuMsPerRequest: number;
  cpuRatio: number;
  cpuOverheadUsPerChunk: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  keptKbPerRequest: number;
  /** Against the 'agent' breakdown: what createCore adds to the bare turn (telemetry, and whatever else it wires). Null without it. */
  ratioVsAgent: number | null;
  cpuRatioVsAgent: number | null;
  verdict: 'PASS' | 'MISS' | 'base' | 'control' | 'part';
}

function rowFor(v: Variant, bare: Variant, agent: Variant | undefined, options: Options): Row {
  const [ratioLow, ratioHigh] = v === bare ? [1, 1] : bootstrapRatioInterval(v.roundWallMs, bare.roundWallMs, seededRandom(options.seed));
  const [finishedRatioLow, finishedRatioHigh] = v === bare ? [1, 1] : bootstrapRatioInterval(v.roundFinishedMs, bare.roundFinishedMs, seededRandom(options.seed));
  const sumMs = sum(v.wallMs);
  const bareSum = sum(bare.wallMs);
  const roundRatios = v.roundWallMs.map((w, i) => w / (bare.roundWallMs[i] ?? NaN));
  const ratio = sumMs / bareSum;
  const cpuPerRequest = mean(v.cpuMs);
  const bareCpu = mean(bare.cpuMs);
  return {
    variant: v.name,
    requests: v.wallMs.length,
    medianMs: median(v.wallMs),
    p95Ms: percentile(v.wallMs, 95),
    sumMs,
    ratio,
    medianRatio: median(v.wallMs) / median(bare.wallMs),
    roundRatioMin: Math.min(...roundRatios),
    roundRatioMax: Math.max(...roundRatios),
    ratioLow,
    ratioHigh,
    overheadUsPerChunk: ((mean(v.wallMs) - mean(bare.wallMs)) * 1000) / options.tokens,
    finishedRatio: sum(v.finishedMs) / sum(bare.finishedMs),
    finishedRatioLow,
    finishedRatioHigh,
    cpuMsPerRequest: cpuPerRequest,
    cpuRatio: cpuPerRequest / bareCpu,
    cpuOverheadUsPerChunk: ((cpuPerRequest - bareCpu) * 1000) / options.tokens,
    heapBeforeMb: v.heapBefore / 2 ** 20,
    heapAfterMb: v.heapAfter / 2 ** 20,
    keptKbPerRequest: (v.heapAfter - v.heapBefore) / 1024 / options.requests,
    ratioVsAgent: agent && ABOVE_AGENT.includes(v.name) ? sumMs / sum(agent.wallMs) : null,
    cpuRatioVsAgent: agent && ABOVE_AGENT.includes(v.name) ? cpuPerRequest / mean(agent.cpuMs) : null,
    verdict: v.name === 'bare' ? 'base' : v.name === 'bare-aa' ? 'control' : !TARGETED.includes(v.name) ? 'part' : ratio <= TARGET_RATIO ? 'PASS' : 'MISS',
  };
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

const f = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const signed = (n: number, digits: number) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n.toFixed(digits)}` : 'n/a');

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const gc = exposeGc();
  const startedAt = performance.now();
  const servers: BenchServers = options.servers === 'child' ? await startServersInChild({ replyTokens: options.tokens }) : await startServersHere({ replyTokens: options.tokens });
  const deadUrl = `http://127.0.0.1:${await closedPort()}`;
  const heapAtStart = process.memoryUsage().heapUsed;
  const loadAtStart = loadavg();
  const code = codeState();

  const collectorOf: Record<'off' | 'on' | 'dead' | 'hang', string | null> = {
    off: null,
    on: servers.okCollectorUrl,
    dead: deadUrl,
    hang: servers.hangCollectorUrl,
  };
  const variants = options.variants.map((name) => {
    if (name === 'bare' || name === 'bare-aa') return bareVariant(name, servers.ollamaUrl, options.tokens);
    if (name === 'llm') return llmVariant(servers.ollamaUrl, options.tokens);
    if (name === 'agent') return agentVariant(servers.ollamaUrl, options.tokens);
    if (name === 'agent-tel') return agentWithTelemetryVariant(servers.ollamaUrl, options.tokens);
    return instrumentedVariant(name, servers.ollamaUrl, collectorOf[name], options.tokens);
  });
  const bare = variants.find((v) => v.name === 'bare') as Variant;
  const checker = createChecker();

  console.log(
    `telemetry overhead: ${options.requests} requests x ${options.tokens} tokens, ${options.rounds} round(s), warm-up ${options.warmup}/variant; ` +
      `fake Ollama + receivers: ${servers.where === 'child' ? 'child process' : 'this process'}; node ${process.version}, ${cpus().length} CPU(s); code ${code}`,
  );

  // One bare request first so the reference text exists before anything is compared with it.
  await timedRequest(bare, checker, false);
  const random = seededRandom(options.seed);
  await timedRound(variants, options.warmup, checker, random, false);
  for (let round = 0; round < options.rounds; round++) {
    gc();
    await timedRound(variants, options.requests, checker, random, true);
    process.stdout.write(`  round ${round + 1}/${options.rounds} done (${f((performance.now() - startedAt) / 1000, 1)} s)\n`);
  }
  for (const v of variants) await heapPass(v, options.requests, checker, gc);

  // Export state after a flush: everything the run produced has been tried (or dropped) once.
  const exports: Partial<Record<VariantName, ExportReport>> = {};
  const exportChecks: string[] = [];
  await Promise.all(
    variants.map(async (v) => {
      if (!v.core) return;
      await withTimeout(v.core.telemetry.flush(), 15_000, undefined);
      const health = await v.core.handlers['health.get'](undefined);
      exports[v.name] = { status: health.export.status, dropped: { ...health.export.dropped }, lastError: health.export.lastError };
    }),
  );
  let counts: CollectorCounts | null;
  const on = variants.find((v) => v.name === 'on');
  if (on) {
    const want = on.turns * 2; // agent.turn + chat <model>
    const deadline = performance.now() + 10_000;
    do {
      counts = await servers.counts();
      if (counts.ok.spans >= want) break;
      await new Promise((r) => setTimeout(r, 100));
    } while (performance.now() < deadline);
    if ((counts?.ok.spans ?? 0) !== want) exportChecks.push(`on: the receiver got ${counts?.ok.spans ?? 0} spans, want ${want}`);
    if ((counts?.ok.logs ?? 0) < on.turns) exportChecks.push(`on: the receiver got ${counts?.ok.logs ?? 0} log records, want >= ${on.turns}`);
  } else {
    counts = await servers.counts();
  }
  for (const name of ['dead', 'hang'] as const) {
    const v = variants.find((x) => x.name === name);
    const report = exports[name];
    if (!v || !report) continue;
    if (report.status !== 'failing') exportChecks.push(`${name}: export status ${report.status}, want failing`);
    if (report.dropped.traces !== v.turns * 2) exportChecks.push(`${name}: ${report.dropped.traces} spans counted as dropped, want ${v.turns * 2}`);
  }

  // Telemetry per turn timed directly, on cores of their own (the receivers' counts stay exact).
  const direct: Record<string, TurnTelemetryCost> = {};
  for (const [label, collector] of [['off', null], ['dead', deadUrl]] as const) {
    const v = instrumentedVariant(label, servers.ollamaUrl, collector, options.tokens);
    if (v.core) direct[label] = measureTurnTelemetry(v.core, { model: MODEL, host: servers.ollamaUrl, tokens: options.tokens, turns: 2000, warmup: 500 });
    await v.core?.close();
    if (v.dataDir) rmSync(v.dataDir, { recursive: true, force: true });
  }

  const agent = variants.find((v) => v.name === 'agent');
  const rows = variants.map((v) => rowFor(v, bare, agent, options));
  const heapAtEnd = (gc(), process.memoryUsage().heapUsed);
  const totalS = (performance.now() - startedAt) / 1000;

  console.log('');
  console.log(
    'wall time per request, start to the whole answer (bare: end of stream; a turn: its done event) (ratio = sum / bare sum; 95% CI = bootstrap over whole rounds; ' +
      'round ratios = min-max of the per-round ratios; finished = start to the call\'s return, with the turn\'s end record and telemetry after done)',
  );
  console.log(
    table(
      ['variant', 'median ms', 'p95 ms', 'sum ms', 'ratio', 'ratio 95% CI', 'median ratio', 'round ratios', 'overhead us/chunk', 'finished ratio', 'finished 95% CI', `ratio <= ${TARGET_RATIO}`],
      rows.map((r) => [
        r.variant,
        f(r.medianMs, 2),
        f(r.p95Ms, 2),
        f(r.sumMs, 0),
        f(r.ratio, 3),
        r.variant === 'bare' ? '-' : `${f(r.ratioLow, 3)}-${f(r.ratioHigh, 3)}`,
        f(r.medianRatio, 3),
        r.variant === 'bare' ? '-' : `${f(r.roundRatioMin, 2)}-${f(r.roundRatioMax, 2)}`,
        r.variant === 'bare' ? '-' : signed(r.overheadUsPerChunk, 2),
        f(r.finishedRatio, 3),
        r.variant === 'bare' ? '-' : `${f(r.finishedRatioLow, 3)}-${f(r.finishedRatioHigh, 3)}`,
        r.verdict,
      ]),
    ),
  );
  console.log('');
  console.log("where it goes: CPU time of this process per request; ratios against 'agent' (agent-tel: the turn telemetry alone; off/on/dead/hang: all createCore adds, memory store included); heap after a full GC around a pass of --requests requests of each variant alone");
  console.log(
    table(
      ['variant', 'CPU ms/req', 'CPU ratio', 'CPU us/chunk', 'ratio vs agent', 'CPU ratio vs agent', 'heap before MB', 'heap after MB', 'kept KB/req'],
      rows.map((r) => [
        r.variant,
        f(r.cpuMsPerRequest, 2),
        f(r.cpuRatio, 3),
        r.variant === 'bare' ? '-' : signed(r.cpuOverheadUsPerChunk, 2),
        r.ratioVsAgent === null ? '-' : f(r.ratioVsAgent, 3),
        r.cpuRatioVsAgent === null ? '-' : f(r.cpuRatioVsAgent, 3),
        f(r.heapBeforeMb, 1),
        f(r.heapAfterMb, 1),
        f(r.keptKbPerRequest, 1),
      ]),
    ),
  );
  const bareMeanUs = mean(bare.wallMs) * 1000;
  console.log('');
  console.log('telemetry work per turn, timed directly (startTurn + firstChunk + streamEnded + succeeded, 2000 turns, no stream):');
  for (const [label, cost] of Object.entries(direct)) {
    console.log(
      `  export ${label.padEnd(4)} wall median ${f(cost.medianUs, 1)} us, mean ${f(cost.meanUs, 1)} us; CPU ${f(cost.cpuUs, 1)} us per turn` +
        ` = ${f((100 * cost.cpuUs) / bareMeanUs, 2)}% of a bare request's wall time, ${f(cost.cpuUs / options.tokens, 3)} us/chunk`,
    );
  }
  console.log('');
  for (const v of variants) console.log(`  ${v.name.padEnd(9)} ${describeVariant[v.name]}${v.collector ? ` (${v.collector})` : ''}`);
  console.log('');
  console.log('export health after a final flush:');
  for (const v of variants) {
    const e = exports[v.name];
    if (!e) continue;
    console.log(`  ${v.name.padEnd(5)} status=${e.status} dropped traces=${e.dropped.traces} metrics=${e.dropped.metrics} logs=${e.dropped.logs}${e.lastError ? ` lastError="${e.lastError}"` : ''}; warnings=${v.warnings.length}`);
  }
  if (counts) {
    console.log(`  receiver (on): ${counts.ok.spans} spans, ${counts.ok.logs} log records, ${counts.ok.metrics} metric points, requests ${JSON.stringify(counts.ok.requests)}, decode errors ${counts.ok.errors}`);
    console.log(`  receiver (hang): requests ${JSON.stringify(counts.hang.requests)} (none answered)`);
  }
  console.log(`heap used after GC: ${f(heapAtStart / 2 ** 20, 1)} MB at start, ${f(heapAtEnd / 2 ** 20, 1)} MB at end (all cores alive, with the conversations they keep)`);

  const problems = variants.flatMap((v) => v.problems.map((p) => `${v.name}: ${p}`));
  const correct = problems.length === 0 && exportChecks.length === 0 && checker.reference !== null;
  console.log('');
  if (correct) console.log(`correctness: OK (${variants.reduce((n, v) => n + v.turns, 0)} requests, every answer complete and identical to the bare client's; exports counted)`);
  else for (const p of [...problems, ...exportChecks, ...(checker.reference === null ? ['bare: no reference answer'] : [])]) console.log(`correctness: FAIL ${p}`);
  const measured = rows.filter((r) => TARGETED.includes(r.variant));
  console.log(`load average (1/5/15 min): ${loadAtStart.map((l) => f(l, 2)).join(' ')} at start, ${loadavg().map((l) => f(l, 2)).join(' ')} at end (other work on the machine shows up as noise)`);
  console.log(
    `target ratio <= ${TARGET_RATIO}, to the answer: ${measured.map((r) => `${r.variant} ${r.verdict} (95% CI ${f(r.ratioLow, 3)}-${f(r.ratioHigh, 3)})`).join(', ')}; ` +
      `to the turn's end: ${measured.map((r) => `${r.variant} ${f(r.finishedRatio, 3)} (${f(r.finishedRatioLow, 3)}-${f(r.finishedRatioHigh, 3)})`).join(', ')}; total ${f(totalS, 1)} s`,
  );

  console.log(
    JSON.stringify({
      bench: 'telemetry-overhead',
      node: process.version,
      code,
      cpus: cpus().length,
      servers: servers.where,
      requests: options.requests,
      tokens: options.tokens,
      rounds: options.rounds,
      warmup: options.warmup,
      seed: options.seed,
      targetRatio: TARGET_RATIO,
      rows,
      export: exports,
      receiver: counts,
      heapMb: { start: heapAtStart / 2 ** 20, end: heapAtEnd / 2 ** 20 },
      telemetryPerTurnUs: direct,
      loadavg: { start: loadAtStart, end: loadavg() },
      correct,
      problems: [...problems, ...exportChecks],
      seconds: totalS,
    }),
  );

  await Promise.allSettled(variants.map((v) => v.core?.close() ?? v.close?.()));
  await servers.close();
  for (const v of variants) if (v.dataDir) rmSync(v.dataDir, { recursive: true, force: true });
  return correct ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
