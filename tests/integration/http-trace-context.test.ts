/**
 * W3C trace context on the headless API (issue 16): a chat or an invoke with a `traceparent`
 * joins the caller's trace. The request gets a SERVER span (HTTP semantic conventions) whose
 * parent is the caller's span; the turn's `agent.turn` is its child; `done.stats.trace_id` is the
 * caller's trace id. A malformed header is ignored: a new trace, never an error. The same holds
 * for the MCP server's `ask` on /mcp: its turn is a child of the /mcp request's server span.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ChatEventBatch, SpanRecord, TurnEvent } from '../../core/common';
import type { Core } from '../../core/runtime';
import { startHttpServer, type RunningHttpServer } from '../../core/server';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { tempDir, testCore } from '../support/core-harness';

const token = 'trace-test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
const callerSpan = '00f067aa0ba902b7';
let fake: FakeOllama;
let core: Core;
let server: RunningHttpServer;

beforeAll(async () => {
  fake = await startFakeOllama({ tokensPerSecond: 0, replyText: 'All targets are up.' });
  core = testCore({ OLLAMA_HOST: fake.url });
  server = await startHttpServer({ core, host: '127.0.0.1', port: 0, token, staticDir: tempDir('bruno-static-') });
});
afterAll(async () => {
  await server.close();
  await core.close();
  await fake.close();
});

async function chat(headers: Record<string, string>) {
  const res = await fetch(`${server.url}/api/v1/chat`, { method: 'POST', headers: { ...auth, ...headers }, body: JSON.stringify({ message: 'Is any target down?' }) });
  expect(res.status).toBe(200);
  const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as TurnEvent);
  const done = lines.at(-1) as Extract<TurnEvent, { type: 'done' }>;
  expect(done.type).toBe('done');
  return done;
}

/** Spans of a trace once the server span (ended on the response's finish) is in the buffer. */
async function spansOf(traceId: string, until: (spans: SpanRecord[]) => boolean): Promise<SpanRecord[]> {
  for (let i = 0; i < 50; i++) {
    const spans = core.telemetry.spans(traceId);
    if (until(spans)) return spans;
    await new Promise((r) => setTimeout(r, 20));
  }
  return core.telemetry.spans(traceId);
}
const hasServerAndTurn = (spans: SpanRecord[]) => spans.some((s) => s.kind === 'server') && spans.some((s) => s.name === 'agent.turn');

describe('traceparent on POST /api/v1/chat', () => {
  it("joins the caller's trace: done.stats.trace_id is its id, the server span's parent its span, the turn a child", async () => {
    const done = await chat({ traceparent: `00-${callerTrace}-${callerSpan}-01`, tracestate: 'vendor=value', baggage: 'tenant=homelab' });
    expect(done.stats.trace_id).toBe(callerTrace);
    const spans = await spansOf(callerTrace, hasServerAndTurn);
    const serverSpan = spans.find((s) => s.kind === 'server')!;
    expect(serverSpan).toMatchObject({
      name: 'POST /api/v1/chat',
      parentSpanId: callerSpan,
      attributes: { 'http.request.method': 'POST', 'http.route': '/api/v1/chat', 'url.path': '/api/v1/chat', 'http.response.status_code': 200, 'url.scheme': 'http', 'client.address': '127.0.0.1' },
    });
    expect(serverSpan.status).not.toBe('error');
    const turn = spans.find((s) => s.name === 'agent.turn')!;
    expect(turn.parentSpanId).toBe(serverSpan.spanId);
    // The model call sits under the turn, in the same trace.
    expect(spans.find((s) => s.name.startsWith('chat '))?.parentSpanId).toBe(turn.spanId);
  });

  it.each([
    ['a wrong length', `00-${callerTrace.slice(2)}-${callerSpan}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${callerSpan}-01`],
    ['version ff', `ff-${callerTrace}-${callerSpan}-01`],
    ['junk', 'not a traceparent at all \u00ff'],
    ['a huge value', `00-${callerTrace}-${callerSpan}-01${'x'.repeat(8000)}`],
  ])('ignores a malformed traceparent (%s): a new trace, the chat answers', async (_name, header) => {
    const done = await chat({ traceparent: header });
    expect(done.stats.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(done.stats.trace_id).not.toBe(callerTrace);
    const spans = await spansOf(done.stats.trace_id!, hasServerAndTurn);
    expect(spans.find((s) => s.kind === 'server')?.parentSpanId).toBeNull();
  });

  it('without a traceparent the server span is the root of the turn', async () => {
    const done = await chat({});
    const spans = await spansOf(done.stats.trace_id!, hasServerAndTurn);
    const serverSpan = spans.find((s) => s.kind === 'server')!;
    expect(serverSpan.parentSpanId).toBeNull();
    expect(spans.find((s) => s.name === 'agent.turn')!.parentSpanId).toBe(serverSpan.spanId);
  });
});

describe('traceparent on POST /api/v1/invoke', () => {
  it('chat.send over invoke joins the trace; the server span is named by its route', async () => {
    const otherTrace = 'aaf92f3577b34da6a3ce929d0e0e4737';
    const ended = new Promise<TurnEvent>((resolve) => {
      const off = core.events.on('chat.event', (batch: ChatEventBatch) => {
        const end = batch.events.find((e) => e.type === 'done' || e.type === 'error');
        if (end) {
          off();
          resolve(end);
        }
      });
    });
    const res = await fetch(`${server.url}/api/v1/invoke/chat.send`, { method: 'POST', headers: { ...auth, traceparent: `00-${otherTrace}-${callerSpan}-01` }, body: JSON.stringify({ message: 'Is any target down?' }) });
    expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
    const end = await ended;
    expect(end.type === 'done' && end.stats.trace_id).toBe(otherTrace);
    const spans = await spansOf(otherTrace, hasServerAndTurn);
    const serverSpan = spans.find((s) => s.kind === 'server')!;
    expect(serverSpan).toMatchObject({ name: 'POST /api/v1/invoke/chat.send', parentSpanId: callerSpan, attributes: { 'http.route': '/api/v1/invoke/chat.send', 'http.response.status_code': 200 } });
    expect(spans.find((s) => s.name === 'agent.turn')!.parentSpanId).toBe(serverSpan.spanId);
  });

  it('an unknown channel is named by its bounded route, not the raw path', async () => {
    const trace = 'bbf92f3577b34da6a3ce929d0e0e4738';
    const res = await fetch(`${server.url}/api/v1/invoke/no.such.channel`, { method: 'POST', headers: { ...auth, traceparent: `00-${trace}-${callerSpan}-01` }, body: '{}' });
    await res.text();
    const spans = await spansOf(trace, (s) => s.length > 0);
    expect(spans.map((s) => s.name)).toEqual(['POST /api/v1/invoke/:unknown']);
  });
});

describe('traceparent on POST /mcp', () => {
  it("an MCP ask joins the request's trace: the turn is a child of the /mcp server span", async () => {
    const mcpTrace = 'ccf92f3577b34da6a3ce929d0e0e4739';
    const client = new Client({ name: 'trace-test-editor', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}`, traceparent: `00-${mcpTrace}-${callerSpan}-01` } } }));
    try {
      const result = (await client.callTool({ name: 'ask', arguments: { question: 'Is any target down?' } })) as { isError?: boolean; structuredContent?: { traceId?: string } };
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent?.traceId).toBe(mcpTrace);
    } finally {
      await client.close();
    }
    // The client's requests (initialize, the notification, the call) each have a server span.
    const spans = await spansOf(mcpTrace, hasServerAndTurn);
    const turn = spans.find((s) => s.name === 'agent.turn')!;
    const parent = spans.find((s) => s.spanId === turn.parentSpanId);
    expect(parent).toMatchObject({ kind: 'server', name: 'POST /mcp', parentSpanId: callerSpan, attributes: { 'http.route': '/mcp' } });
    expect(spans.find((s) => s.name.startsWith('chat '))?.parentSpanId).toBe(turn.spanId);
  });
});
