/**
 * Bruno as an MCP server, driven by the official SDK client: `/mcp` on the headless server
 * (token, Host rule) and `agent-bruno mcp` over stdio (the built CLI, a real process).
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import type { Core } from '../../core/runtime';
import { startHttpServer, type RunningHttpServer } from '../../core/server';
import { assertBuilt, cliBin } from '../support/built-app';
import { tempDir, testCore } from '../support/core-harness';
import { statusWithHost } from '../support/raw-http';

const token = 'mcp-server-token-0123456789abcdef';
const reply = 'The NAS is healthy: all disks report OK.';
let fake: FakeOllama;
let core: Core;
let server: RunningHttpServer;

beforeAll(async () => {
  fake = await startFakeOllama({ tokensPerSecond: 0, replyText: reply });
  core = testCore({ OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '' });
  server = await startHttpServer({ core, host: '127.0.0.1', port: 0, token, staticDir: tempDir() });
});
afterAll(async () => {
  await server.close();
  await core.close();
  await fake.close();
});

const expectedTools = ['ask', 'kb_search', 'kb_ingest_status', 'memory_search', 'memory_add', 'alerts_active', 'health'];
const textOf = (result: unknown) => ((result as { content: Array<{ type: string; text: string }> }).content ?? []).map((c) => c.text).join('\n');

async function httpClient(headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'test-editor', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers } }));
  return client;
}

describe('/mcp on the headless server', () => {
  it('lists the tools with their annotations and answers each through the contract', async () => {
    const client = await httpClient({ authorization: `Bearer ${token}` });
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expectedTools);
      const annotations = Object.fromEntries(tools.map((t) => [t.name, t.annotations?.readOnlyHint]));
      expect(annotations).toEqual({ ask: false, kb_search: true, kb_ingest_status: true, memory_search: true, memory_add: false, alerts_active: true, health: true });

      const health = await client.callTool({ name: 'health', arguments: {} });
      expect(textOf(health)).toMatch(/^Overall: ok/);
      expect(textOf(health)).toContain(`Ollama ${fake.url}: up`);

      const added = await client.callTool({ name: 'memory_add', arguments: { type: 'semantic', text: 'The NAS is at 10.0.0.5' } });
      expect(textOf(added)).toMatch(/^Remembered \(fact, id .+\): The NAS is at 10\.0\.0\.5$/);
      expect(textOf(await client.callTool({ name: 'memory_search', arguments: { query: 'NAS' } }))).toContain('The NAS is at 10.0.0.5');

      expect(textOf(await client.callTool({ name: 'alerts_active', arguments: {} }))).toMatch(/No active alerts|FIRING|PENDING/);
      expect(textOf(await client.callTool({ name: 'kb_ingest_status', arguments: {} }))).toBe('The knowledge base has no sources yet.');
      const search = await client.callTool({ name: 'kb_search', arguments: { query: 'disk layout' } });
      expect(textOf(search)).toMatch(/No results|\[1\]/);

      const asked = await client.callTool({ name: 'ask', arguments: { question: 'Is the NAS healthy?' } });
      expect(asked.isError).toBeFalsy();
      expect(textOf(asked)).toContain(reply);
      expect(asked.structuredContent).toMatchObject({ answer: reply, conversationId: expect.any(String) });
      const chat = fake.requests.filter((r) => r.path === '/api/chat').at(-1)?.body as { messages: { content: string }[] };
      expect(chat.messages.at(-1)?.content).toBe('Is the NAS healthy?');
    } finally {
      await client.close();
    }
  });

  it('bad arguments are an error the caller reads, not a crash', async () => {
    const client = await httpClient({ authorization: `Bearer ${token}` });
    try {
      const result = await client.callTool({ name: 'memory_add', arguments: { type: 'gossip', text: '' } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/type|text/);
      const missingModel = await client.callTool({ name: 'ask', arguments: { question: 'hi', model: 'mistral:7b' } });
      expect(missingModel.isError).toBe(true);
      expect(textOf(missingModel)).toMatch(/ollama pull mistral:7b/);
    } finally {
      await client.close();
    }
  });

  it('refuses a request without the token or with a wrong one (401), a foreign Host (421), and GET (405)', async () => {
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const none = await fetch(`${server.url}/mcp`, { method: 'POST', headers, body: init });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(/Authorization: Bearer/);
    const wrong = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { ...headers, authorization: 'Bearer nope' }, body: init });
    expect(wrong.status).toBe(401);
    await expect(httpClient({ authorization: 'Bearer nope' })).rejects.toThrow();
    expect(await statusWithHost(`${server.url}/mcp`, 'evil.example:80', { authorization: `Bearer ${token}` })).toBe(421);
    const get = await fetch(`${server.url}/mcp`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
    expect(get.status).toBe(405);
    await get.body?.cancel();
    const garbage = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${token}` }, body: '{not json' });
    expect(garbage.status).toBe(400);
    await garbage.body?.cancel();
  });
});

describe('agent-bruno mcp (stdio)', () => {
  const env = () => ({ PATH: process.env.PATH ?? '', OLLAMA_HOST: fake.url, BRUNO_DATA_DIR: tempDir(), BRUNO_METRICS_ADDR: '' });

  it('the SDK client lists the tools and asks a question through it', async () => {
    assertBuilt();
    const transport = new StdioClientTransport({ command: process.execPath, args: [cliBin, 'mcp'], env: env(), stderr: 'pipe' });
    const client = new Client({ name: 'test-editor', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expectedTools);
      const asked = await client.callTool({ name: 'ask', arguments: { question: 'Is the NAS healthy?' } });
      expect(textOf(asked)).toContain(reply);
    } finally {
      await client.close();
    }
  });

  it('writes only protocol to stdout and exits 0 when stdin closes', async () => {
    assertBuilt();
    const child = spawn(process.execPath, [cliBin, 'mcp'], { env: { ...env(), BRUNO_LOG_LEVEL: 'debug' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'health', arguments: {} } });
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'ask', arguments: { question: 'hello?' } } });
    const deadline = Date.now() + 15_000;
    while (!stdout.includes('"id":3') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(lines.map((l) => (JSON.parse(l) as { id?: number }).id)).toEqual([1, 2, 3]);
  });
});
