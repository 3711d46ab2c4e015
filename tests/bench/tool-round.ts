/**
 * The cost of a tool round: a turn where the model calls `prometheus_query` once and answers from
 * its result (two /api/chat streams and one Prometheus query), through the app's core, beside a
 * bare ollama-js loop making the same two requests and the same HTTP query. Same run, same fake
 * Ollama (as fast as it can stream), same small fake Prometheus, turns interleaved in alternating
 * order. Also a turn without tools (model without the capability) beside one bare request. The
 * answer after the tool is the fake repeating the tool result (about 10 tokens); without tools it
 * is 200 tokens.
 *
 *   npm run bench:tools -- [--turns 200] [--servers child|inproc] [--profile app|agent|agent+telemetry|bare]
 *                          [--pace 1000] [--prompt-eval-ms 10] [--paced-turns 40] [--tsx]
 *
 * It measures the code as the app ships it: run under tsx (as `npm run bench:tools` does), this file
 * hands itself to run-built.ts, which bundles it with core/ as electron-vite builds the app and runs
 * that with plain node. tsx wraps every function and closure of core/ in a `__name()` call the
 * built app never makes, and the bare loop (ollama-js, plain JavaScript) never pays. The difference
 * is small beside this machine's noise (three alternating pairs on 2026-12-07, full-speed tool
 * turn: tsx 1.073 / 1.069 / 1.042, built 1.023 / 1.017 / 1.091; docs/benchmarks.md), but only the
 * built code is what users run. `--tsx` keeps the old way, for that comparison.
 *
 * After the full-speed rows (the default, and the target), the same app and bare turns run
 * again with the fake paced as a model would be, only much faster than any local one: `--pace`
 * tokens/s and `--prompt-eval-ms` before each answer's first token (`--pace 0` skips it). A local
 * 4-8B model streams 10-20 tokens/s on a CPU and 40-150 on a GPU, and evaluates a prompt of a
 * thousand tokens (the six tools are about 600) in 0.1-1 s; 1,000 tokens/s and 10 ms are 7-100
 * times faster, so what the paced row shows is an upper bound of the app's share.
 *
 * `--profile <side>` runs only that side's tool turns after the warm-up, under the V8 CPU profiler
 * (node:inspector), and writes tool-round-<side>.cpuprofile (open it in Chrome DevTools).
 *
 * The fake Ollama and the fake Prometheus run in a child process by default, as Ollama runs
 * outside the app: in this process their work would share the event loop with the client being
 * measured, so whatever the app does while a request travels (the journal write of the question)
 * would count as the server's latency. `--servers inproc` keeps them here (the older setup).
 *
 * Two breakdown steps sit between bare and the app (tool turns only): 'agent' is the turn loop
 * with the same built-in tools, capability cache and context-window resolver, and nothing else
 * (conversations in memory, no telemetry, no recall, no retrieval); 'agent+telemetry' adds the
 * turn and tool telemetry wired as createCore wires it (spans, metrics; no log file). What the
 * app adds above that is the memory store (journal, recall), retrieval and the log line.
 *
 * Per side it prints the median wall time of a turn, the ratio, this process's CPU time per turn
 * (the client's own work: with the servers in the child, nothing else runs here), and the median
 * of each stage, read from the events a caller sees: round 1 (start -> the tool call is known),
 * the tool (-> its result), round 2 up to its first token, the rest of the answer, and what the
 * app does after `done` until the turn returns. What the app asks Ollama once per model
 * (`/api/show` for the capabilities, `/api/ps` for the context window) is measured apart: the
 * warm-up pays it, the measured turns do not (the bench checks that they send two requests only).
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Ollama, type Message, type Tool } from 'ollama';
import { createAgent, type Agent } from '../../core/agent';
import { emptyAlertsState } from '../../core/common/alerts';
import { createSettingsStore } from '../../core/config';
import { createContextWindowResolver, createModelCapabilities, createOllamaClient } from '../../core/llm';
import { createInMemoryConversationStore } from '../../core/memory';
import { createCore } from '../../core/runtime';
import { createTelemetry } from '../../core/telemetry/create-telemetry';
import { createBuiltinTools, createToolRegistry } from '../../core/tools';
import { startFakeOllama } from '../fake-ollama';
import { testSettings } from '../support/core-harness';
import { median } from './stats';
import { ms, printPaced, printStages, runPaced, type Marks, type PacedRun } from './tool-round-paced';

const { values: args } = parseArgs({ options: { turns: { type: 'string', default: '200' }, servers: { type: 'string', default: 'child' }, 'serve-child': { type: 'boolean', default: false }, profile: { type: 'string' }, pace: { type: 'string', default: '1000' }, 'prompt-eval-ms': { type: 'string', default: '10' }, 'paced-turns': { type: 'string', default: '40' }, tsx: { type: 'boolean', default: false } } });

const promBody = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { __name__: 'up', job: 'node', instance: 'nas:9100' }, value: [1767323045, '1'] }] } });
const noTools = { name: 'notools:1b', family: 'llama', parameterSize: '1B', quantization: 'Q4_K_M', size: 1e9, maxContext: 8192, capabilities: ['completion'] };

/** The fake Ollama (tool mode) and a fake Prometheus answering one series. */
interface Servers {
  ollamaUrl: string;
  promUrl: string;
  /** The paths of the requests the fake Ollama got so far. */
  requests(): Promise<string[]>;
  /**
   * The `tools` of the first /api/chat request that offered any (the app's own), and the content of
   * the first tool result sent back (the app's compact table): the bare loop sends both as they are,
   * so the fake model reads the same prompt and gives the same answer on both sides.
   */
  firstTools(): Promise<AppWire>;
  /** Paces the fake Ollama (tokens/s, 0 = full speed; ms of prompt evaluation per request). */
  pace(tokensPerSecond: number, promptEvalMs: number): Promise<void>;
  close(): Promise<void>;
}

async function startServers(): Promise<Servers> {
  const prom = createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(promBody));
  await new Promise<void>((r) => prom.listen(0, '127.0.0.1', r));
  const fake = await startFakeOllama({ tokensPerSecond: Infinity, replyTokens: 200, requestLogLimit: 1_000_000, toolCalls: [{ name: 'prometheus_query', arguments: { query: 'up' } }] });
  fake.configure({ models: [...fake.behaviour.models, noTools] });
  return {
    ollamaUrl: fake.url,
    promUrl: `http://127.0.0.1:${(prom.address() as { port: number }).port}`,
    requests: async () => fake.requests.map((r) => r.path),
    pace: async (tokensPerSecond, promptEvalMs) => fake.configure({ tokensPerSecond: tokensPerSecond || Infinity, promptEvalMs }),
    firstTools: async () => {
      const bodies = fake.requests.map((r) => r.body as { tools?: unknown[]; messages?: Array<{ role: string; content: string }> } | undefined);
      return {
        tools: bodies.map((b) => b?.tools).find((t) => Array.isArray(t) && t.length > 0) ?? [],
        toolResult: bodies.flatMap((b) => b?.messages ?? []).find((m) => m.role === 'tool')?.content ?? '',
      };
    },
    async close() {
      await fake.close();
      prom.closeAllConnections();
      await new Promise((r) => prom.close(r));
    },
  };
}

interface AppWire {
  tools: unknown[];
  toolResult: string;
}
type ToChild = { type: 'requests' | 'firstTools' | 'close' } | { type: 'pace'; tokensPerSecond: number; promptEvalMs: number };
type FromChild = { type: 'ready'; ollamaUrl: string; promUrl: string } | { type: 'requests'; paths: string[] } | { type: 'firstTools'; wire: AppWire } | { type: 'paced' };

if (args['serve-child']) {
  const servers = await startServers();
  process.on('message', (m: ToChild) => {
    if (m.type === 'requests') void servers.requests().then((paths) => process.send?.({ type: 'requests', paths } satisfies FromChild));
    else if (m.type === 'pace') void servers.pace(m.tokensPerSecond, m.promptEvalMs).then(() => process.send?.({ type: 'paced' } satisfies FromChild));
    else if (m.type === 'firstTools') void servers.firstTools().then((wire) => process.send?.({ type: 'firstTools', wire } satisfies FromChild));
    else void servers.close().then(() => process.exit(0));
  });
  process.on('disconnect', () => void servers.close().then(() => process.exit(0)));
  process.send?.({ type: 'ready', ollamaUrl: servers.ollamaUrl, promUrl: servers.promUrl } satisfies FromChild);
} else if (import.meta.url.endsWith('.ts') && !args.tsx) {
  await runBuilt();
} else {
  await main();
}

/** This benchmark built and run by plain node (run-built.ts), with the same arguments. */
async function runBuilt(): Promise<void> {
  const { spawn } = await import('node:child_process');
  const runner = fileURLToPath(new URL('./run-built.ts', import.meta.url));
  // tsx's loader flags, so that node can run run-built.ts itself.
  const child = spawn(process.execPath, [...process.execArgv, runner, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(await new Promise<number>((done) => child.once('exit', (code, signal) => done(code ?? (signal ? 1 : 0)))));
}

async function childServers(): Promise<Servers> {
  // The child inherits this process's execArgv (tsx's loader when run through tsx).
  const child = fork(fileURLToPath(import.meta.url), ['--serve-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<Extract<FromChild, { type: 'ready' }>>((resolve, reject) => {
    child.once('message', (m: FromChild) => (m.type === 'ready' ? resolve(m) : reject(new Error('unexpected message'))));
    child.once('exit', (code) => reject(new Error(`bench servers exited (code ${code})`)));
  });
  return {
    ollamaUrl: ready.ollamaUrl,
    promUrl: ready.promUrl,
    requests: () =>
      new Promise<string[]>((resolve) => {
        child.once('message', (m: FromChild) => resolve(m.type === 'requests' ? m.paths : []));
        child.send({ type: 'requests' } satisfies ToChild);
      }),
    firstTools: () =>
      new Promise<AppWire>((resolve) => {
        child.once('message', (m: FromChild) => resolve(m.type === 'firstTools' ? m.wire : { tools: [], toolResult: '' }));
        child.send({ type: 'firstTools' } satisfies ToChild);
      }),
    pace: (tokensPerSecond, promptEvalMs) =>
      new Promise<void>((resolve) => {
        child.once('message', () => resolve());
        child.send({ type: 'pace', tokensPerSecond, promptEvalMs } satisfies ToChild);
      }),
    async close() {
      child.send({ type: 'close' } satisfies ToChild);
      await new Promise((r) => child.once('exit', r));
    },
  };
}

async function main(): Promise<void> {
  const turns = Number(args.turns);
  const servers = args.servers === 'inproc' ? await startServers() : await childServers();
  const { ollamaUrl, promUrl } = servers;
  const core = createCore({ settings: testSettings({ OLLAMA_HOST: ollamaUrl, PROMETHEUS_URL: promUrl }), logging: { file: false } });
  const ollama = new Ollama({ host: ollamaUrl });
  // The bare loop offers exactly the tools the app offers (the built-ins whose sources are
  // configured, with their descriptions): read from the app's first request, so both sides send
  // the same bytes.
  let toolsWire: Tool[] = [];
  let appToolResult = '';

  /** The turn loop with the app's tools and caches, optionally its telemetry; nothing else. */
  function breakdownAgent(withTelemetry: boolean): { agent: Pick<Agent, 'startTurn'>; close(): Promise<void> } {
    const settings = testSettings({ OLLAMA_HOST: ollamaUrl, PROMETHEUS_URL: promUrl });
    const store = createSettingsStore(settings);
    const telemetry = withTelemetry ? createTelemetry({ settings: store, serviceVersion: 'bench', log: () => {}, redact: (t) => t, report: () => {} }) : null;
    const client = createOllamaClient({ host: ollamaUrl });
    // The same built-ins on as in the app (so the same tools go out); the model only calls prometheus_query.
    const builtins = createBuiltinTools({
      settings: () => store.get(),
      alerts: { state: () => emptyAlertsState() },
      spans: () => [],
      knowledge: { search: () => Promise.reject(new Error('not in this bench')) },
      memory: { listMemories: async () => [] },
    });
    const agent = createAgent({
      client,
      conversations: createInMemoryConversationStore(),
      limits: settings.stream,
      defaultModel: () => 'llama3.1:8b',
      contextWindows: createContextWindowResolver(client),
      tools: { registry: createToolRegistry({ sources: [builtins], policies: () => ({}) }), capabilities: createModelCapabilities(client), limits: () => store.get().tools, ...(telemetry ? { telemetry: telemetry.tools } : {}) },
      ...(telemetry ? { telemetry: telemetry.turns } : {}),
      onSample: () => {},
    });
    return { agent, close: async () => void (await telemetry?.shutdown()) };
  }
  const agentOnly = breakdownAgent(false);
  const agentTel = breakdownAgent(true);

  async function appTurn(model: string, agent: Pick<Agent, 'startTurn'> = core.agent): Promise<Marks> {
    const t0 = performance.now();
    const marks: Marks = { toolKnown: null, toolDone: null, secondFirstToken: null, done: 0, returned: 0 };
    const turn = agent.startTurn({ message: 'Is the NAS up?', model }, (e) => {
      const t = performance.now() - t0;
      if (e.type === 'tool') {
        if (e.call.status === 'running') marks.toolKnown = t;
        else marks.toolDone = t;
      } else if (e.type === 'token' && marks.toolDone !== null && marks.secondFirstToken === null) marks.secondFirstToken = t;
      else if (e.type === 'done') marks.done = t;
    });
    const end = await turn.finished;
    marks.returned = performance.now() - t0;
    if (end.type !== 'done') throw new Error(end.message);
    return marks;
  }

  async function bareTurn(withTool: boolean): Promise<Marks> {
    const t0 = performance.now();
    const marks: Marks = { toolKnown: null, toolDone: null, secondFirstToken: null, done: 0, returned: 0 };
    const messages: Message[] = [{ role: 'user', content: 'Is the NAS up?' }];
    const first = await ollama.chat({ model: withTool ? 'llama3.1:8b' : 'notools:1b', messages, stream: true, ...(withTool ? { tools: toolsWire } : {}) });
    const calls = [];
    let text = '';
    for await (const chunk of first) {
      text += chunk.message.content;
      if (chunk.message.tool_calls) calls.push(...chunk.message.tool_calls);
    }
    if (withTool) {
      marks.toolKnown = performance.now() - t0;
      const url = new URL('/api/v1/query', promUrl);
      url.searchParams.set('query', String(calls[0]!.function.arguments.query));
      // Read whole as the app reads it; the model is sent the app's own rendering of it (see firstTools).
      const result = (await (await fetch(url)).text()) && appToolResult;
      marks.toolDone = performance.now() - t0;
      messages.push({ role: 'assistant', content: text, tool_calls: calls }, { role: 'tool', content: result, tool_name: 'prometheus_query' });
      const second = await ollama.chat({ model: 'llama3.1:8b', messages, stream: true, tools: toolsWire });
      for await (const chunk of second) {
        if (marks.secondFirstToken === null && chunk.message.content) marks.secondFirstToken = performance.now() - t0;
        text += chunk.message.content;
      }
    }
    marks.done = marks.returned = performance.now() - t0;
    return marks;
  }

  // What the app asks once per model, timed on their own (the warm-up below pays them once).
  const llm = createOllamaClient({ host: ollamaUrl });
  const once = { show: [] as number[], ps: [] as number[] };
  for (let i = 0; i < 30; i++) {
    let t = performance.now();
    await llm.show('llama3.1:8b');
    once.show.push(performance.now() - t);
    t = performance.now();
    await llm.ps();
    once.ps.push(performance.now() - t);
  }

  await appTurn('llama3.1:8b');
  ({ tools: toolsWire, toolResult: appToolResult } = (await servers.firstTools()) as { tools: Tool[]; toolResult: string });
  if (!appToolResult) throw new Error('the app sent no tool result in its first turn');
  console.log(`tools offered on both sides: ${toolsWire.map((t) => t.function.name).join(', ')} (${JSON.stringify(toolsWire).length} bytes); the tool result both send back: the app's ${appToolResult.length}-character table`);
  // Warm up both paths (JIT, the capability and context caches, sockets).
  for (let i = 0; i < 20; i++) {
    await appTurn('llama3.1:8b');
    await bareTurn(true);
    await appTurn('notools:1b');
    await bareTurn(false);
    await appTurn('llama3.1:8b', agentOnly.agent);
    await appTurn('llama3.1:8b', agentTel.agent);
  }
  const breakdownTools = (await servers.firstTools()).tools;
  if (JSON.stringify(breakdownTools) !== JSON.stringify(toolsWire)) throw new Error('the breakdown agents offer other tools than the app');
  if (args.profile) {
    const agents: Record<string, Pick<Agent, 'startTurn'>> = { app: core.agent, agent: agentOnly.agent, 'agent+telemetry': agentTel.agent };
    const agent = agents[args.profile];
    if (!agent && args.profile !== 'bare') throw new Error(`--profile takes one of ${Object.keys(agents).join(', ')}, bare`);
    const { Session } = await import('node:inspector/promises');
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 50 });
    await session.post('Profiler.start');
    for (let i = 0; i < turns; i++) await (agent ? appTurn('llama3.1:8b', agent) : bareTurn(true));
    const { profile } = await session.post('Profiler.stop');
    const file = `tool-round-${args.profile}.cpuprofile`;
    (await import('node:fs')).writeFileSync(file, JSON.stringify(profile));
    console.log(`wrote ${file} (${turns} tool turns)`);
    await core.close();
    await agentOnly.close();
    await agentTel.close();
    await servers.close();
    return;
  }
  const before = (await servers.requests()).length;
  const runs = { appTool: [] as Marks[], bareTool: [] as Marks[], appPlain: [] as Marks[], barePlain: [] as Marks[], agentTool: [] as Marks[], agentTelTool: [] as Marks[] };
  const cpu = { appTool: 0, bareTool: 0, appPlain: 0, barePlain: 0, agentTool: 0, agentTelTool: 0 };
  const timed = async (key: keyof typeof runs, run: () => Promise<Marks>) => {
    const c0 = process.cpuUsage();
    runs[key].push(await run());
    const c = process.cpuUsage(c0);
    cpu[key] += (c.user + c.system) / 1000;
  };
  for (let i = 0; i < turns; i++) {
    // Alternate the order so neither side always runs on a warmer machine.
    if (i % 2 === 0) {
      await timed('appTool', () => appTurn('llama3.1:8b'));
      await timed('bareTool', () => bareTurn(true));
      await timed('appPlain', () => appTurn('notools:1b'));
      await timed('barePlain', () => bareTurn(false));
      await timed('agentTool', () => appTurn('llama3.1:8b', agentOnly.agent));
      await timed('agentTelTool', () => appTurn('llama3.1:8b', agentTel.agent));
    } else {
      await timed('agentTelTool', () => appTurn('llama3.1:8b', agentTel.agent));
      await timed('agentTool', () => appTurn('llama3.1:8b', agentOnly.agent));
      await timed('bareTool', () => bareTurn(true));
      await timed('appTool', () => appTurn('llama3.1:8b'));
      await timed('barePlain', () => bareTurn(false));
      await timed('appPlain', () => appTurn('notools:1b'));
    }
  }
  const paths = await servers.requests();
  // Paced: the same app and bare turns (no breakdown), fewer of them.
  const pace = Number(args.pace);
  const pacedTurns = pace > 0 ? Number(args['paced-turns']) : 0;
  let paced: PacedRun | null = null;
  if (pacedTurns > 0) {
    await servers.pace(pace, Number(args['prompt-eval-ms']));
    paced = await runPaced({ appTool: () => appTurn('llama3.1:8b'), bareTool: () => bareTurn(true), appPlain: () => appTurn('notools:1b'), barePlain: () => bareTurn(false) }, pacedTurns);
  }
  const measured: Record<string, number> = {};
  for (const path of paths.slice(before)) measured[path] = (measured[path] ?? 0) + 1;
  await core.close();
  await agentOnly.close();
  await agentTel.close();
  await servers.close();

  const wall = (key: keyof typeof runs) => median(runs[key].map((m) => m.returned));
  console.log(`tool round benchmark, ${turns} turns each, servers ${args.servers === 'inproc' ? 'in this process' : 'in a child process'}, fake Ollama at full speed; answers of 200 tokens without tools, after the tool the fake repeats its result (about 10 tokens)`);
  console.log(`once per model (the warm-up pays them): /api/show ${ms(median(once.show))}, /api/ps ${ms(median(once.ps))}`);
  // Per round of the loop: 2 + 1 chat requests on each side, 2 + 2 for the breakdown agents; nothing else per turn.
  console.log(`requests to Ollama in the measured turns: ${JSON.stringify(measured)} (expected {"/api/chat":${turns * 10}})`);
  for (const [label, app, bare] of [
    ['one tool round (2 chat streams + 1 Prometheus query)', 'appTool', 'bareTool'],
    ['no tools (1 chat stream)', 'appPlain', 'barePlain'],
  ] as const) {
    console.log(`${label}: app ${ms(wall(app))}  bare ollama-js ${ms(wall(bare))}  ratio ${(wall(app) / wall(bare)).toFixed(3)}  (+${ms(wall(app) - wall(bare))})`);
    const toDone = (key: keyof typeof runs) => median(runs[key].map((m) => m.done));
    console.log(`  to the answer's done event: app ${ms(toDone(app))}  ratio ${(toDone(app) / wall(bare)).toFixed(3)}  (the app records the turn after done)`);
    console.log(`  CPU of this process per turn: app ${ms(cpu[app] / turns)}  bare ${ms(cpu[bare] / turns)}  (+${ms((cpu[app] - cpu[bare]) / turns)})`);
  }
  if (paced) printPaced(paced, pace, Number(args['prompt-eval-ms']));
  console.log('breakdown of the tool turn (wall median, CPU per turn, each against bare):');
  for (const [label, key] of [['agent (turn loop + tools)', 'agentTool'], ['agent + telemetry', 'agentTelTool'], ['app (createCore)', 'appTool']] as const) {
    console.log(`  ${label.padEnd(26)} ${ms(wall(key)).padStart(9)} ratio ${(wall(key) / wall('bareTool')).toFixed(3)}  CPU ${ms(cpu[key] / turns)} (+${ms((cpu[key] - cpu.bareTool) / turns)})`);
  }
  printStages('stages of the tool turn', runs.appTool, runs.bareTool);
  if (paced) printStages('stages of the paced tool turn', paced.marks.appTool, paced.marks.bareTool);
}
