/**
 * Tool calling in a chat turn, over real HTTP: the fake Ollama streams `tool_calls` as Ollama
 * does and answers from the tool messages it gets back; `prometheus_query` reads Debian's real
 * Prometheus (self-scraping, started here). Policies, limits and hostile model output too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import type { Core } from '../../core/runtime';
import { createCore } from '../../core/runtime';
import type { ChatEventBatch, ToolCallView, TurnEvent } from '../../core/common';
import { startHttpServer } from '../../core/server';
import { closedPort, runTurn, testSettings } from '../support/core-harness';
import { freePort } from '../support/ops/tools';
import { eventually, startDaemon, type Daemon } from '../support/servers/daemon';
import type { ToolPolicy } from '../../core/common/tools';

let fake: FakeOllama;
let prometheus: Daemon;
let promUrl = '';
let promPort = 0;
const scratch = mkdtempSync(join(tmpdir(), 'bruno-tools-'));
const cores: Core[] = [];

function core(env: Record<string, string> = {}, policy: Record<string, ToolPolicy> = {}): Core {
  const settings = testSettings({ OLLAMA_HOST: fake.url, PROMETHEUS_URL: promUrl, ...env });
  const c = createCore({ settings: { ...settings, tools: { ...settings.tools, policy } }, logging: { file: false } });
  cores.push(c);
  return c;
}

const toolEvents = (events: TurnEvent[]) => events.flatMap((e) => (e.type === 'tool' ? [e.call] : []));
const finalCalls = (events: TurnEvent[]) => toolEvents(events).filter((c) => c.status !== 'running' && c.status !== 'awaiting_approval');
const chatRequests = () => fake.requests.filter((r) => r.path === '/api/chat').map((r) => r.body as { tools?: unknown[]; messages: Array<{ role: string; content: string; tool_name?: string; tool_calls?: unknown[] }> });

beforeAll(async () => {
  fake = await startFakeOllama({ tokensPerSecond: 0, replyTokens: 5 });
  promPort = await freePort();
  promUrl = `http://127.0.0.1:${promPort}`;
  writeFileSync(join(scratch, 'prometheus.yml'), ['global: { scrape_interval: 1s }', `scrape_configs: [ { job_name: prometheus, static_configs: [ { targets: ['127.0.0.1:${promPort}'] } ] } ]`].join('\n'));
  prometheus = await startDaemon('prometheus', [`--config.file=${join(scratch, 'prometheus.yml')}`, `--storage.tsdb.path=${join(scratch, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`], `${promUrl}/-/ready`);
  await eventually(async () => {
    const body = (await (await fetch(`${promUrl}/api/v1/query?query=up`)).json()) as { data: { result: unknown[] } };
    return body.data.result.length > 0;
  }, 20_000, 'Prometheus to have scraped itself');
}, 60_000);

afterAll(async () => {
  await Promise.all(cores.map((c) => c.close()));
  await prometheus?.stop();
  await fake?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('a turn that calls prometheus_query against the real Prometheus', () => {
  it('gets the real series into the next round and the answer; counters, spans and history record the call', async () => {
    fake.reset();
    fake.configure({ toolCalls: [{ name: 'prometheus_query', arguments: { query: 'up' } }] });
    const c = core();
    const turn = await runTurn(c, { message: 'Is Prometheus up?' });
    expect(turn.end.type).toBe('done');
    const calls = toolEvents(turn.events);
    expect(calls.map((x) => x.status)).toEqual(['running', 'ok']);
    const series = `up{instance="127.0.0.1:${promPort}",job="prometheus"}`;
    expect(calls[1]!.result).toContain(series);
    expect(calls[1]!.result).toMatch(/series\s+value\n.*\s1$/);
    // The wire: first request offers the tools, second carries the tool message back.
    const [first, second] = chatRequests();
    expect((first!.tools as Array<{ function: { name: string } }>).map((t) => t.function.name)).toContain('prometheus_query');
    const toolMessage = second!.messages.find((m) => m.role === 'tool')!;
    expect(toolMessage).toMatchObject({ tool_name: 'prometheus_query' });
    expect(toolMessage.content).toContain(series);
    expect(second!.messages.find((m) => m.role === 'assistant')?.tool_calls).toEqual([{ function: { name: 'prometheus_query', arguments: { query: 'up' } } }]);
    expect(turn.text).toContain(`From prometheus_query: 1 series`);
    expect(turn.text).toContain(series);
    if (turn.end.type !== 'done') return;
    expect(turn.end.stats).toMatchObject({ model_rounds: 2, tool_calls: 1 });

    const metrics = await c.telemetry.registry.metrics();
    expect(metrics).toMatch(/agent_tool_calls_total\{tool="prometheus_query",status="ok"\} 1/);
    expect(metrics).toMatch(/agent_tool_duration_seconds_count\{tool="prometheus_query"\} 1/);
    const spans = c.telemetry.spans(turn.end.stats.trace_id!);
    const root = spans.find((s) => s.name === 'agent.turn')!;
    const tool = spans.find((s) => s.name === 'execute_tool prometheus_query')!;
    expect(tool.parentSpanId).toBe(root.spanId);
    expect(tool.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'prometheus_query', 'gen_ai.tool.type': 'function', 'gen_ai.tool.call.id': calls[1]!.id });
    expect(tool.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
    expect(spans.filter((s) => s.name.startsWith('chat ')).length).toBe(2);

    const detail = await c.memory.getConversation(turn.conversationId);
    expect(detail.messages.at(-1)!.toolCalls).toEqual([calls[1]]);
  });

  it('an unreachable Prometheus is a tool error result and a normal answer', async () => {
    fake.reset();
    fake.configure({ toolCalls: [{ name: 'prometheus_query', arguments: { query: 'up' } }] });
    const port = await closedPort();
    const c = core({ PROMETHEUS_URL: `http://127.0.0.1:${port}` });
    const turn = await runTurn(c, { message: 'Is the NAS healthy?' });
    expect(turn.end.type).toBe('done');
    const [call] = finalCalls(turn.events);
    expect(call).toMatchObject({ status: 'error', result: `Prometheus at http://127.0.0.1:${port} could not be reached (ECONNREFUSED)` });
    expect(turn.text).toContain('could not be reached');
    expect(await c.telemetry.registry.metrics()).toMatch(/agent_tool_calls_total\{tool="prometheus_query",status="error"\} 1/);
  });

  it('a PromQL error is the model\'s to read ("Prometheus answered 400: ...")', async () => {
    fake.reset();
    fake.configure({ toolCalls: [{ name: 'prometheus_query', arguments: { query: 'up{' } }] });
    const turn = await runTurn(core(), { message: 'q' });
    expect(turn.end.type).toBe('done');
    expect(finalCalls(turn.events)[0]!.result).toMatch(/^Prometheus answered 400: .*parse error/);
  });

  it('a range query with start and step answers points per series', async () => {
    fake.reset();
    fake.configure({ toolCalls: [{ name: 'prometheus_query', arguments: { query: 'up', start: 'now-30s', step: '5s' } }] });
    const turn = await runTurn(core(), { message: 'q' });
    const result = finalCalls(turn.events)[0]!.result!;
    expect(result).toMatch(/^1 series\nup\{instance=.*\} \(\d+ points\)\n {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}1/);
  });
});

describe('limits', () => {
  it('a model without the tools capability runs the turn as before: no tools offered, no warning', async () => {
    fake.reset();
    const models = fake.behaviour.models.map((m) => (m.name === 'llama3.1:8b' ? { ...m, capabilities: ['completion'] } : m));
    fake.configure({ models, toolCalls: [{ name: 'prometheus_query', arguments: { query: 'up' } }] });
    const warnings: unknown[] = [];
    const settings = testSettings({ OLLAMA_HOST: fake.url, PROMETHEUS_URL: promUrl });
    const c = createCore({ settings, logging: { file: false }, warn: (m) => warnings.push(m) });
    cores.push(c);
    const turn = await runTurn(c, { message: 'hello' });
    expect(turn.end.type).toBe('done');
    expect(toolEvents(turn.events)).toEqual([]);
    expect(chatRequests().map((r) => r.tools)).toEqual([undefined]);
    expect(warnings).toEqual([]);
    // And the capability is asked once per model, not per turn.
    await runTurn(c, { message: 'again' });
    expect(fake.requests.filter((r) => r.path === '/api/show')).toHaveLength(1);
  });

  it('stops offering tools after tools.maxRounds and tells the model to answer', async () => {
    fake.reset();
    fake.configure({ toolRounds: 100, toolCalls: [{ name: 'alerts_active', arguments: {} }] });
    const turn = await runTurn(core({ BRUNO_TOOL_MAX_ROUNDS: '2' }), { message: 'loop' });
    expect(turn.end.type).toBe('done');
    const requests = chatRequests();
    expect(requests.map((r) => Array.isArray(r.tools))).toEqual([true, true, false]);
    expect(requests[2]!.messages.at(-1)).toMatchObject({ role: 'system', content: expect.stringContaining('Answer the user now') });
    expect(finalCalls(turn.events)).toHaveLength(2);
    expect(turn.text).toContain('From alerts_active: no active alerts');
  });

  it('a hanging tool is stopped at tools.callTimeoutMs and the model reads that', async () => {
    const hanging: Server = createServer(() => {});
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    try {
      fake.reset();
      fake.configure({ toolCalls: [{ name: 'prometheus_targets', arguments: {} }] });
      const port = (hanging.address() as { port: number }).port;
      const c = core({ PROMETHEUS_URL: `http://127.0.0.1:${port}`, BRUNO_TOOL_TIMEOUT_MS: '300' });
      const started = performance.now();
      const turn = await runTurn(c, { message: 'targets?' });
      expect(performance.now() - started).toBeLessThan(3000);
      expect(turn.end.type).toBe('done');
      const [call] = finalCalls(turn.events);
      expect(call).toMatchObject({ status: 'error', result: 'The tool did not answer within 300 ms and was stopped.' });
      expect(await c.telemetry.registry.metrics()).toMatch(/agent_tool_calls_total\{tool="prometheus_targets",status="timeout"\} 1/);
    } finally {
      hanging.closeAllConnections();
      await new Promise((r) => hanging.close(r));
    }
  });

  it('cuts a long result to tools.resultTokenBudget with a note that says so', async () => {
    fake.reset();
    fake.configure({ toolCalls: [{ name: 'prometheus_query', arguments: { query: '{__name__=~"prometheus_.+"}' } }] });
    const turn = await runTurn(core({ BRUNO_TOOL_RESULT_TOKENS: '50' }), { message: 'everything' });
    const [call] = finalCalls(turn.events);
    expect(call!.truncated).toBe(true);
    const [body, note] = call!.result!.split('\n[result cut');
    expect(body!.length).toBe(200);
    expect(note).toMatch(/^ to about 50 tokens of about \d+; ask a narrower question for the rest\]$/);
    const sent = chatRequests()[1]!.messages.find((m) => m.role === 'tool')!;
    expect(sent.content).toBe(call!.result);
  });
});

describe('hostile tool calls from the model', () => {
  it('unknown tools, non-object or huge arguments and a name like __proto__ each get a clear result; nothing crashes', async () => {
    fake.reset();
    fake.configure({
      toolCalls: [
        { name: 'delete_everything', arguments: {} },
        { name: '__proto__', arguments: {} },
        { name: 'prometheus_query', arguments: 'not json' },
        { name: 'prometheus_query', arguments: [1, 2, 3] },
        { name: 'prometheus_query', arguments: { query: 'x'.repeat(100_000) } },
        // An own "__proto__" key, as JSON.parse makes it from the wire: not a way to smuggle in `query`.
        { name: 'prometheus_query', arguments: JSON.parse('{"__proto__":{"query":"up"}}') as Record<string, unknown> },
        { name: 'prometheus_query', arguments: '{"query":"up"}' },
      ],
    });
    const c = core();
    const turn = await runTurn(c, { message: 'do bad things' });
    expect(turn.end.type).toBe('done');
    const results = finalCalls(turn.events).map((c) => [c.status, c.result?.split('\n')[0]]);
    expect(results[0]).toEqual(['error', expect.stringMatching(/^There is no tool named 'delete_everything'\. The tools you can call are: prometheus_query, /)]);
    expect(results[1]).toEqual(['error', expect.stringMatching(/^There is no tool named '__proto__'/)]);
    expect(results[2]).toEqual(['error', "The arguments must be a JSON object of the tool's parameters."]);
    expect(results[3]).toEqual(['error', "The arguments must be a JSON object of the tool's parameters."]);
    expect(results[4]).toEqual(['error', 'The arguments are too large (more than 65536 characters).']);
    expect(results[5]).toEqual(['error', "argument 'query' is required (a string)"]);
    // A JSON string holding an object is read as the object (some models send that).
    expect(results[6]![0]).toBe('ok');
    expect(({} as Record<string, unknown>).query).toBeUndefined();
    const tools = chatRequests()[1]!.messages.filter((m) => m.role === 'tool');
    expect(tools).toHaveLength(7);
    // A made-up name never becomes a metric label (unbounded): it counts as tool="unknown".
    const metrics = await c.telemetry.registry.metrics();
    expect(metrics).not.toContain('delete_everything');
    expect(metrics).toMatch(/agent_tool_calls_total\{tool="unknown",status="error"\} 2/);
  });
});

describe("policy 'ask'", () => {
  it('is refused at once without a person (agent turn and POST /api/v1/chat), with the reason', async () => {
    fake.reset();
    fake.configure({ toolCalls: [{ name: 'prometheus_query', arguments: { query: 'up' } }] });
    const c = core({}, { prometheus_query: 'ask' });
    const turn = await runTurn(c, { message: 'up?' });
    expect(turn.end.type).toBe('done');
    expect(toolEvents(turn.events).map((x) => x.status)).toEqual(['denied']);
    expect(finalCalls(turn.events)[0]!.result).toBe('This tool needs confirmation in the desktop app; set its policy to allow in Settings to run it unattended.');

    const token = 'tools-test-token-0123456789abcdef';
    const server = await startHttpServer({ core: c, host: '127.0.0.1', port: 0, token, staticDir: scratch });
    try {
      const res = await fetch(`${server.url}/api/v1/chat`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ message: 'up?' }) });
      const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as TurnEvent);
      expect(lines.filter((e) => e.type === 'tool').map((e) => (e as { call: ToolCallView }).call.status)).toEqual(['denied']);
      expect(lines.at(-1)!.type).toBe('done');

      // A client that says it can approve waits for its chat.approve (over the bridge) instead.
      fake.reset();
      fake.configure({ toolCalls: [{ name: 'prometheus_query', arguments: { query: 'up' } }] });
      const auth = { authorization: `Bearer ${token}` };
      const res2 = await fetch(`${server.url}/api/v1/chat`, { method: 'POST', headers: auth, body: JSON.stringify({ message: 'up?', turnId: 'turn-http-1', canApprove: true }) });
      const reader = res2.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      const streamed: TurnEvent[] = [];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += value;
        const lines = text.split('\n');
        text = lines.pop()!;
        for (const line of lines.filter(Boolean)) {
          const e = JSON.parse(line) as TurnEvent;
          streamed.push(e);
          if (e.type === 'tool' && e.call.status === 'awaiting_approval') {
            const r = await fetch(`${server.url}/api/v1/invoke/chat.approve`, { method: 'POST', headers: auth, body: JSON.stringify({ turnId: 'turn-http-1', callId: e.call.id, allow: true }) });
            expect(((await r.json()) as { result: unknown }).result).toEqual({ accepted: true });
          }
        }
      }
      expect(toolEvents(streamed).map((x) => x.status)).toEqual(['awaiting_approval', 'running', 'ok']);
    } finally {
      await server.close();
    }
  });

  async function sendAndDecide(allow: boolean) {
    fake.reset();
    fake.configure({ toolCalls: [{ name: 'prometheus_query', arguments: { query: 'up' } }] });
    const c = core({}, { prometheus_query: 'ask' });
    const events: TurnEvent[] = [];
    let resolveEnd!: () => void;
    const ended = new Promise<void>((r) => (resolveEnd = r));
    let decided: Promise<{ accepted: boolean }> | null = null;
    const off = c.events.on('chat.event', (batch: ChatEventBatch) => {
      for (const e of batch.events) {
        events.push(e);
        if (e.type === 'tool' && e.call.status === 'awaiting_approval') {
          // A Run/Deny for another id is not taken as this call's answer.
          void c.handlers['chat.approve']({ turnId: batch.turnId, callId: 'call_other', allow: true }).then((r) => expect(r.accepted).toBe(false));
          decided = c.handlers['chat.approve']({ turnId: batch.turnId, callId: e.call.id, allow });
        }
        if (e.type === 'done' || e.type === 'error') resolveEnd();
      }
    });
    await c.handlers['chat.send']({ message: 'up?' });
    await ended;
    off();
    expect(await decided).toEqual({ accepted: true });
    const end = events.at(-1)!;
    const spanEvents = end.type === 'done' ? (c.telemetry.spans(end.stats.trace_id!).find((s) => s.name === 'execute_tool prometheus_query')?.events ?? []).map((e) => e.name) : [];
    return { events, spanEvents };
  }

  it('waits for chat.approve: Run runs the call', async () => {
    const { events, spanEvents } = await sendAndDecide(true);
    expect(toolEvents(events).map((x) => x.status)).toEqual(['awaiting_approval', 'running', 'ok']);
    expect(events.at(-1)!.type).toBe('done');
    // The span covers the wait and the run; `approved` marks where the wait ended.
    expect(spanEvents).toEqual(['approved']);
  });

  it('waits for chat.approve: Deny gives the model a refusal', async () => {
    const { events, spanEvents } = await sendAndDecide(false);
    expect(toolEvents(events).map((x) => x.status)).toEqual(['awaiting_approval', 'denied']);
    expect(toolEvents(events)[1]!.result).toBe('The user denied this tool call.');
    expect(events.at(-1)!.type).toBe('done');
    expect(spanEvents).toEqual(['denied']);
  });
});
