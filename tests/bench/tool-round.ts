/**
 * The cost of a tool round: a turn where the model calls `prometheus_query` once and answers from
 * its result (two /api/chat streams and one Prometheus query), through the app's core, beside a
 * bare ollama-js loop making the same two requests and the same HTTP query. Same run, same fake
 * Ollama (as fast as it can stream), same small fake Prometheus, turns interleaved.
 * Also a turn without tools (model without the capability) beside one bare request.
 *
 *   npx tsx tests/bench/tool-round.ts [turns=60]
 */
import { createServer } from 'node:http';
import { Ollama, type Message } from 'ollama';
import { createCore } from '../../core/runtime';
import { startFakeOllama } from '../fake-ollama';
import { testSettings } from '../support/core-harness';
import { median } from './stats';

const turns = Number(process.argv[2] ?? 60);
const promBody = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { __name__: 'up', job: 'node', instance: 'nas:9100' }, value: [1767323045, '1'] }] } });
const prom = createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(promBody));
await new Promise<void>((r) => prom.listen(0, '127.0.0.1', r));
const promUrl = `http://127.0.0.1:${(prom.address() as { port: number }).port}`;
const fake = await startFakeOllama({ tokensPerSecond: Infinity, replyTokens: 200, toolCalls: [{ name: 'prometheus_query', arguments: { query: 'up' } }] });
fake.configure({ models: [...fake.behaviour.models, { name: 'notools:1b', family: 'llama', parameterSize: '1B', quantization: 'Q4_K_M', size: 1e9, maxContext: 8192, capabilities: ['completion'] }] });

const core = createCore({ settings: testSettings({ OLLAMA_HOST: fake.url, PROMETHEUS_URL: promUrl }), logging: { file: false } });
const ollama = new Ollama({ host: fake.url });
const toolsWire = [{ type: 'function', function: { name: 'prometheus_query', description: 'PromQL', parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } } }];

async function appTurn(model: string): Promise<number> {
  const t0 = performance.now();
  const turn = core.agent.startTurn({ message: 'Is the NAS up?', model }, () => {});
  const end = await turn.finished;
  if (end.type !== 'done') throw new Error(end.message);
  return performance.now() - t0;
}

async function bareTurn(withTool: boolean): Promise<number> {
  const t0 = performance.now();
  const messages: Message[] = [{ role: 'user', content: 'Is the NAS up?' }];
  const first = await ollama.chat({ model: withTool ? 'llama3.1:8b' : 'notools:1b', messages, stream: true, ...(withTool ? { tools: toolsWire } : {}) });
  const calls = [];
  let text = '';
  for await (const chunk of first) {
    text += chunk.message.content;
    if (chunk.message.tool_calls) calls.push(...chunk.message.tool_calls);
  }
  if (withTool) {
    const url = new URL('/api/v1/query', promUrl);
    url.searchParams.set('query', String(calls[0]!.function.arguments.query));
    const result = await (await fetch(url)).text();
    messages.push({ role: 'assistant', content: text, tool_calls: calls }, { role: 'tool', content: result, tool_name: 'prometheus_query' });
    const second = await ollama.chat({ model: 'llama3.1:8b', messages, stream: true, tools: toolsWire });
    for await (const chunk of second) text += chunk.message.content;
  }
  return performance.now() - t0;
}

// Warm up both paths (JIT, the capability cache, sockets).
for (let i = 0; i < 10; i++) {
  await appTurn('llama3.1:8b');
  await bareTurn(true);
  await appTurn('notools:1b');
  await bareTurn(false);
}
const samples = { appTool: [] as number[], bareTool: [] as number[], appPlain: [] as number[], barePlain: [] as number[] };
for (let i = 0; i < turns; i++) {
  // Alternate the order so neither side always runs on a warmer machine.
  if (i % 2 === 0) {
    samples.appTool.push(await appTurn('llama3.1:8b'));
    samples.bareTool.push(await bareTurn(true));
  } else {
    samples.bareTool.push(await bareTurn(true));
    samples.appTool.push(await appTurn('llama3.1:8b'));
  }
  samples.appPlain.push(await appTurn('notools:1b'));
  samples.barePlain.push(await bareTurn(false));
}
const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<keyof typeof samples, number>;
const ms = (x: number) => `${x.toFixed(2)} ms`;
console.log(`tool round benchmark, ${turns} turns each, fake Ollama at full speed, 200-token answers`);
console.log(`one tool round (2 chat streams + 1 Prometheus query): app ${ms(m.appTool)}  bare ollama-js ${ms(m.bareTool)}  ratio ${(m.appTool / m.bareTool).toFixed(3)}`);
console.log(`no tools (1 chat stream):                             app ${ms(m.appPlain)}  bare ollama-js ${ms(m.barePlain)}  ratio ${(m.appPlain / m.barePlain).toFixed(3)}`);
console.log(`the tool round's added time: app ${ms(m.appTool - m.appPlain)}  bare ${ms(m.bareTool - m.barePlain)}`);
await core.close();
await fake.close();
prom.close();
