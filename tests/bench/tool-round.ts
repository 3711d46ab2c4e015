/**
 * The cost of a tool round: a turn where the model calls `prometheus_query` once and answers from
 * its result (two /api/chat streams and one Prometheus query), through the app's core, beside a
 * bare ollama-js loop making the same two requests and the same HTTP query. Same run, same fake
 * Ollama (as fast as it can stream), same small fake Prometheus, turns interleaved in alternating
 * order. Also a turn without tools (model without the capability) beside one bare request.
 *
 *   npm run bench:tools -- [--turns 200] [--servers child|inproc] [--profile app|agent|agent+telemetry]
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

const { values: args } = parseArgs({ options: { turns: { type: 'string', default: '200' }, servers: { type: 'string', default: 'child' }, 'serve-child': { type: 'boolean', default: false }, profile: { type: 'string' } } });

const promBody = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { __name__: 'up', job: 'node', instance: 'nas:9100' }, value: [1767323045, '1'] }] } });
const noTools = { name: 'notools:1b', family: 'llama', parameterSize: '1B', quantization: 'Q4_K_M', size: 1e9, maxContext: 8192, capabilities: ['completion'] };

/** The fake Ollama (tool mode) and a fake Prometheus answering one series. */
interface Servers {
  ollamaUrl: string;
  promUrl: string;
  /** The paths of the requests the fake Ollama got so far. */
  requests(): Promise<string[]>;
  /** The `tools` of the first /api/chat request that offered any (the app's own). */
  firstTools(): Promise<unknown[]>;
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
    firstTools: async () => (fake.requests.map((r) => (r.body as { tools?: unknown[] } | undefined)?.tools).find((t) => Array.isArray(t) && t.length > 0) ?? []) as unknown[],
    async close() {
      await fake.close();
      prom.closeAllConnections();
      await new Promise((r) => prom.close(r));
    },
  };
}

type ToChild = { type: 'requests' | 'firstTools' | 'close' };
type FromChild = { type: 'ready'; ollamaUrl: string; promUrl: string } | { type: 'requests'; paths: string[] } | { type: 'firstTools'; tools: unknown[] };

if (args['serve-child']) {
  const servers = await startServers();
  process.on('message', (m: ToChild) => {
    if (m.type === 'requests') void servers.requests().then((paths) => process.send?.({ type: 'requests', paths } satisfies FromChild));
    else if (m.type === 'firstTools') void servers.firstTools().then((tools) => process.send?.({ type: 'firstTools', tools } satisfies FromChild));
    else void servers.close().then(() => process.exit(0));
  });
  process.on('disconnect', () => void servers.close().then(() => process.exit(0)));
  process.send?.({ type: 'ready', ollamaUrl: servers.ollamaUrl, promUrl: servers.promUrl } satisfies FromChild);
} else {
  await main();
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
      new Promise<unknown[]>((resolve) => {
        child.once('message', (m: FromChild) => resolve(m.type === 'firstTools' ? m.tools : []));
        child.send({ type: 'firstTools' } satisfies ToChild);
      }),
    async close() {
      child.send({ type: 'close' } satisfies ToChild);
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Stage times of one turn, in ms from its start (null: the turn has no such stage). */
interface Marks {
  toolKnown: number | null;
  toolDone: number | null;
  secondFirstToken: number | null;
  done: number;
  returned: number;
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

  /** The turn loop with the app's tools and caches, optionally its telemetry; nothing else. */
  function breakdownAgent(withTelemetry: boolean): { agent: Pick<Agent, 'startTurn'>; close(): Promise<void> } {
    const settings = testSettings({ OLLAMA_HOST: ollamaUrl, PROMETHEUS_URL: promUrl });
    const store = createSettingsStore(settings);
    const telemetry = withTelemetry ? createTelemetry({ settings: store, serviceVersion: 'bench', log: () => {}, redact: (t) => t, report: () => {} }) : null;
    const client = createOllamaClient({ host: ollamaUrl });
    // The same built-ins on as in the app (so the same tools go out); the model only calls prometheus_query.
    const builtins = createBuiltinTools({
      fetch: globalThis.fetch,
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
      const result = await (await fetch(url)).text();
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
  toolsWire = (await servers.firstTools()) as Tool[];
  console.log(`tools offered on both sides: ${toolsWire.map((t) => t.function.name).join(', ')} (${JSON.stringify(toolsWire).length} bytes)`);
  // Warm up both paths (JIT, the capability and context caches, sockets).
  for (let i = 0; i < 20; i++) {
    await appTurn('llama3.1:8b');
    await bareTurn(true);
    await appTurn('notools:1b');
    await bareTurn(false);
    await appTurn('llama3.1:8b', agentOnly.agent);
    await appTurn('llama3.1:8b', agentTel.agent);
  }
  const breakdownTools = (await servers.firstTools()) as Tool[];
  if (JSON.stringify(breakdownTools) !== JSON.stringify(toolsWire)) throw new Error('the breakdown agents offer other tools than the app');
  if (args.profile) {
    const agents: Record<string, Pick<Agent, 'startTurn'>> = { app: core.agent, agent: agentOnly.agent, 'agent+telemetry': agentTel.agent };
    const agent = agents[args.profile];
    if (!agent) throw new Error(`--profile takes one of ${Object.keys(agents).join(', ')}`);
    const { Session } = await import('node:inspector/promises');
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 50 });
    await session.post('Profiler.start');
    for (let i = 0; i < turns; i++) await appTurn('llama3.1:8b', agent);
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
  const measured: Record<string, number> = {};
  for (const path of paths.slice(before)) measured[path] = (measured[path] ?? 0) + 1;
  await core.close();
  await agentOnly.close();
  await agentTel.close();
  await servers.close();

  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const wall = (key: keyof typeof runs) => median(runs[key].map((m) => m.returned));
  const stage = (key: keyof typeof runs, from: (m: Marks) => number | null, to: (m: Marks) => number | null) => median(runs[key].map((m) => (to(m) ?? 0) - (from(m) ?? 0)));
  console.log(`tool round benchmark, ${turns} turns each, servers ${args.servers === 'inproc' ? 'in this process' : 'in a child process'}, fake Ollama at full speed, 200-token answers`);
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
  console.log('breakdown of the tool turn (wall median, CPU per turn, each against bare):');
  for (const [label, key] of [['agent (turn loop + tools)', 'agentTool'], ['agent + telemetry', 'agentTelTool'], ['app (createCore)', 'appTool']] as const) {
    console.log(`  ${label.padEnd(26)} ${ms(wall(key)).padStart(9)} ratio ${(wall(key) / wall('bareTool')).toFixed(3)}  CPU ${ms(cpu[key] / turns)} (+${ms((cpu[key] - cpu.bareTool) / turns)})`);
  }
  console.log('stages of the tool turn (medians), app / bare / difference:');
  const stages: Array<[string, (m: Marks) => number | null, (m: Marks) => number | null]> = [
    ['round 1: start -> tool call known', () => 0, (m) => m.toolKnown],
    ['the tool: -> its result', (m) => m.toolKnown, (m) => m.toolDone],
    ['round 2: -> its first token', (m) => m.toolDone, (m) => m.secondFirstToken],
    ['round 2: -> the last token (done)', (m) => m.secondFirstToken, (m) => m.done],
    ['after done -> the turn returned', (m) => m.done, (m) => m.returned],
  ];
  for (const [name, from, to] of stages) {
    const a = stage('appTool', from, to);
    const b = stage('bareTool', from, to);
    console.log(`  ${name.padEnd(36)} ${ms(a).padStart(9)} ${ms(b).padStart(9)} ${(a - b >= 0 ? '+' : '') + (a - b).toFixed(2)} ms`);
  }
}
