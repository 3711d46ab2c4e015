/**
 * The renderer's side of tools (issue 14): the Settings view's Tools section (which tools are on,
 * grouped by source with the MCP servers' health, one policy saved through settings.update) and
 * the trace waterfall telling model rounds and tool calls apart.
 */
import { describe, expect, it } from 'vitest';
import type { Bridge, InvokeChannel, McpServerHealth, SettingsUpdateResult, SpanRecord, ToolInfo } from '../../core/common';
import { createAppStore } from '../../renderer/src/app/store';
import { createChatActions } from '../../renderer/src/features/chat/actions';
import { orderSpans, spanRole } from '../../renderer/src/features/observability/TraceView';
import { createToolsActions, policyPatch } from '../../renderer/src/features/tools/actions';
import { describeServer, shortDescription, toolGroups, toolState, toolsSummary } from '../../renderer/src/features/tools/tools-view';

const info = (name: string, rest: Partial<ToolInfo> = {}): ToolInfo => ({
  name,
  description: `${name} tool`,
  source: 'builtin',
  readOnly: true,
  policy: 'allow',
  defaultPolicy: 'allow',
  unavailable: null,
  ...rest,
});
const server = (name: string, state: McpServerHealth['state'], tools = 0, lastError: string | null = null): McpServerHealth => ({ name, transport: 'stdio', state, tools, lastError, restarts: 0, retryAt: null });

describe('tools view helpers', () => {
  it('a tool is on, asks, off or unavailable: off wins over unavailable, and unavailable over allow/ask', () => {
    expect(toolState(info('a'))).toBe('on');
    expect(toolState(info('a', { policy: 'ask' }))).toBe('asks');
    expect(toolState(info('a', { policy: 'off', unavailable: 'set PROMETHEUS_URL' }))).toBe('off');
    expect(toolState(info('a', { unavailable: 'set PROMETHEUS_URL' }))).toBe('unavailable');
    expect(toolState(info('a', { policy: 'ask', unavailable: 'server down' }))).toBe('unavailable');
  });

  it('the summary names only the tools the next turn offers', () => {
    const tools = [info('kb_search'), info('prometheus_query', { unavailable: 'set PROMETHEUS_URL' }), info('files.write_note', { source: 'files', readOnly: false, policy: 'ask', defaultPolicy: 'ask' }), info('memory_recall', { policy: 'off' })];
    const summary = toolsSummary(tools);
    expect(summary.text).toBe('2 of 4 tools on: kb_search, files.write_note');
    expect(summary.on.map((t) => t.name)).toEqual(['kb_search', 'files.write_note']);
    expect(toolsSummary([]).text).toBe('No tools.');
    expect(toolsSummary([info('a', { policy: 'off' })]).text).toBe('0 of 1 tools on');
    // Many tools: the line stays short.
    const many = Array.from({ length: 12 }, (_, i) => info(`t${i}`));
    expect(toolsSummary(many).text).toBe('12 of 12 tools on: t0, t1, t2, t3, t4, t5, t6, t7 and 4 more');
  });

  it('groups built-in first, then MCP servers in health order, a server without tools included', () => {
    const tools = [info('files.echo', { source: 'files' }), info('kb_search'), info('nas.df', { source: 'nas' }), info('files.write_note', { source: 'files' })];
    const groups = toolGroups(tools, [server('nas', 'connected', 1), server('broken', 'failed', 0, 'command not found'), server('files', 'connected', 2)]);
    expect(groups.map((g) => [g.source, g.title, g.tools.map((t) => t.name), g.server?.state])).toEqual([
      ['builtin', 'Built-in', ['kb_search'], undefined],
      ['nas', 'MCP server nas', ['nas.df'], 'connected'],
      ['broken', 'MCP server broken', [], 'failed'],
      ['files', 'MCP server files', ['files.echo', 'files.write_note'], 'connected'],
    ]);
    // Before health has said anything, MCP tools still show, under their source.
    expect(toolGroups(tools).map((g) => g.source)).toEqual(['builtin', 'files', 'nas']);
    // A server named like an Object.prototype key, or 'builtin', is no trouble.
    expect(toolGroups([info('constructor.x', { source: 'constructor' })], [server('constructor', 'connected', 1), server('builtin', 'failed')]).map((g) => g.source)).toEqual(['constructor']);
  });

  it('says a server state the way the health strip does, and cuts long descriptions', () => {
    expect(describeServer(server('files', 'connected', 1))).toBe('stdio · connected · 1 tool');
    expect(describeServer({ ...server('files', 'failed'), restarts: 3 })).toBe('stdio · failed · 0 tools · 3 restarts');
    expect(shortDescription('D'.repeat(1000))).toHaveLength(240);
    expect(shortDescription('  two\n\nlines  ')).toBe('two lines');
  });
});

function fakeBridge(handlers: Partial<Record<InvokeChannel, (input: unknown) => Promise<unknown>>>) {
  const calls: Array<[string, unknown]> = [];
  const bridge = {
    invoke: async (channel: InvokeChannel, input?: unknown) => {
      calls.push([channel, input]);
      const handler = handlers[channel];
      if (!handler) throw new Error(`no ${channel}`);
      return handler(input);
    },
    on: () => () => {},
  } as unknown as Bridge;
  return { bridge, calls };
}

const okResult: SettingsUpdateResult = { ok: true, fieldErrors: {}, applied: ['tools.policy'], restartRequired: [] };

describe('tools actions', () => {
  it('one policy is one key of tools.policy, the rest untouched; the list is read again after', async () => {
    let policy: 'ask' | 'allow' = 'ask';
    const { bridge, calls } = fakeBridge({
      'tools.list': async () => [info('files.write_note', { source: 'files', readOnly: false, policy, defaultPolicy: 'ask' })],
      'settings.update': async (input) => {
        policy = (input as { patch: { tools: { policy: Record<string, 'allow'> } } }).patch.tools.policy['files.write_note']!;
        return okResult;
      },
    });
    const store = createAppStore();
    const actions = createToolsActions({ store, bridge });
    await actions.loadTools();
    expect(store.getState().tools).toMatchObject({ status: 'ready', list: [{ name: 'files.write_note', policy: 'ask' }] });
    expect(await actions.setToolPolicy('files.write_note', 'allow')).toBe(true);
    expect(JSON.parse(JSON.stringify(calls.find(([c]) => c === 'settings.update')![1]))).toEqual({ patch: { tools: { policy: { 'files.write_note': 'allow' } } } });
    expect(store.getState().tools).toMatchObject({ saving: null, saveError: null, list: [{ policy: 'allow' }] });
    expect(calls.map(([c]) => c)).toEqual(['tools.list', 'settings.update', 'tools.list']);
  });

  it('a refused change shows the field error by the tool and keeps the list; a failed call too', async () => {
    const { bridge } = fakeBridge({
      'tools.list': async () => [info('kb_search')],
      'settings.update': async () => ({ ok: false, fieldErrors: { 'tools.policy.kb_search': "must be 'off', 'ask' or 'allow'" }, applied: [], restartRequired: [] }),
    });
    const store = createAppStore();
    const actions = createToolsActions({ store, bridge });
    await actions.loadTools();
    expect(await actions.setToolPolicy('kb_search', 'off')).toBe(false);
    expect(store.getState().tools.saveError).toEqual({ tool: 'kb_search', message: "tools.policy.kb_search: must be 'off', 'ask' or 'allow'" });
    expect(store.getState().tools.list[0]!.policy).toBe('allow');

    const down = fakeBridge({ 'settings.update': async () => Promise.reject(new Error('connection lost')) });
    const store2 = createAppStore();
    expect(await createToolsActions({ store: store2, bridge: down.bridge }).setToolPolicy('kb_search', 'off')).toBe(false);
    expect(store2.getState().tools.saveError?.message).toMatch(/connection lost/);
    expect(store2.getState().tools.saving).toBeNull();
  });

  it('sends nothing for a policy that is not off/ask/allow, and a prototype-named tool stays a plain key', async () => {
    const { bridge, calls } = fakeBridge({ 'settings.update': async () => okResult, 'tools.list': async () => [] });
    const actions = createToolsActions({ store: createAppStore(), bridge });
    expect(await actions.setToolPolicy('kb_search', 'sudo' as never)).toBe(false);
    expect(calls).toEqual([]);
    const patch = policyPatch('__proto__', 'off');
    expect(Object.keys(patch.tools.policy)).toEqual(['__proto__']);
    expect(JSON.stringify(patch)).toBe('{"tools":{"policy":{"__proto__":"off"}}}');
    expect(({} as Record<string, unknown>).off).toBeUndefined();
  });

  it('a list that fails to load says why; a non-array answer is an empty list', async () => {
    const failing = fakeBridge({ 'tools.list': async () => Promise.reject(new Error('unknown channel')) });
    const store = createAppStore();
    await createToolsActions({ store, bridge: failing.bridge }).loadTools();
    expect(store.getState().tools).toMatchObject({ status: 'error', error: expect.stringMatching(/unknown channel/) });
    const odd = fakeBridge({ 'tools.list': async () => ({ not: 'a list' }) });
    const store2 = createAppStore();
    await createToolsActions({ store: store2, bridge: odd.bridge }).loadTools();
    expect(store2.getState().tools).toMatchObject({ status: 'ready', list: [] });
  });
});

describe('trace waterfall: model rounds and tool calls', () => {
  const span = (spanId: string, parentSpanId: string | null, startMs: number, attributes: SpanRecord['attributes'] = {}): SpanRecord => ({
    traceId: 't'.repeat(32),
    spanId,
    parentSpanId,
    name: spanId,
    kind: 'internal',
    startMs,
    durationMs: 1,
    status: 'ok',
    statusMessage: null,
    attributes,
    events: [],
  });

  it('tags chat spans as model, execute_tool spans as tool, the rest as other', () => {
    expect(spanRole(span('chat llama3.1:8b', 'turn', 1, { 'gen_ai.operation.name': 'chat' }))).toBe('model');
    expect(spanRole(span('execute_tool kb_search', 'turn', 2, { 'gen_ai.operation.name': 'execute_tool' }))).toBe('tool');
    expect(spanRole(span('agent.turn', null, 0))).toBe('other');
    expect(spanRole(span('embed', 'rag', 0, { 'gen_ai.operation.name': 'embeddings' }))).toBe('other');
  });

  it('a tool call sits between its two model rounds, as a child of the turn', () => {
    const rows = orderSpans([
      span('chat-2', 'turn', 30, { 'gen_ai.operation.name': 'chat' }),
      span('tool', 'turn', 20, { 'gen_ai.operation.name': 'execute_tool' }),
      span('turn', null, 0),
      span('chat-1', 'turn', 10, { 'gen_ai.operation.name': 'chat' }),
    ]);
    expect(rows.map((r) => `${r.depth}:${r.span.spanId}:${spanRole(r.span)}`)).toEqual(['0:turn:other', '1:chat-1:model', '1:tool:tool', '1:chat-2:model']);
  });
});

describe('chat slice: tool events', () => {
  it('keep the latest state per call in order, and count as activity for the stall notice', () => {
    let t = 1000;
    const store = createAppStore({ scheduleFrame: (cb) => cb(), now: () => t });
    const chat = () => store.getState().chat;
    chat().beginTurn({ turnId: 't', text: 'q', model: null });
    expect(chat().lastChunkAt).toBeNull();
    t = 5000;
    const call = { id: 'call_1', name: 'fixture.write_note', arguments: { note: 'x' }, status: 'awaiting_approval' as const };
    chat().receiveBatch({ turnId: 't', conversationId: 'c', events: [{ type: 'tool', call }] });
    expect(chat().lastChunkAt).toBe(5000);
    t = 9000;
    chat().receiveBatch({ turnId: 't', conversationId: 'c', events: [{ type: 'tool', call: { ...call, status: 'running' } }, { type: 'tool', call: { ...call, id: 'call_2', status: 'running' } }] });
    chat().receiveBatch({ turnId: 't', conversationId: 'c', events: [{ type: 'tool', call: { ...call, status: 'ok', result: 'saved x', durationMs: 3 } }] });
    expect(chat().lastChunkAt).toBe(9000);
    expect(chat().messages[1]!.toolCalls!.map((c) => `${c.id}:${c.status}`)).toEqual(['call_1:ok', 'call_2:running']);
  });
});

describe('Run / Deny', () => {
  it('answers chat.approve for the active turn; says false when it did not get there, or no turn runs', async () => {
    let fail = false;
    const { bridge, calls } = fakeBridge({
      'chat.approve': async () => {
        if (fail) throw new Error('connection lost');
        return { accepted: true };
      },
    });
    const store = createAppStore({ scheduleFrame: (cb) => cb() });
    const actions = createChatActions({ store, bridge });
    expect(await actions.approveTool('call_1', true)).toBe(false);
    expect(calls).toEqual([]);
    store.getState().chat.beginTurn({ turnId: 't1', text: 'q', model: null });
    expect(await actions.approveTool('call_1', false)).toBe(true);
    expect(calls).toEqual([['chat.approve', { turnId: 't1', callId: 'call_1', allow: false }]]);
    fail = true;
    expect(await actions.approveTool('call_1', true)).toBe(false);
    expect(store.getState().chat.error?.message).toMatch(/connection lost/);
  });
});
