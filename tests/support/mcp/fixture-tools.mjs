// The tools of the MCP test servers (stdio and HTTP), built with the official SDK's McpServer.
// Plain ESM so a test can start the stdio one with `node` in a few hundred milliseconds.
import { appendFileSync } from 'node:fs';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/**
 * mode 'normal': echo (read-only), write_note (no annotations), fail, crash, hang, big.
 * mode 'hostile': what McpServer would refuse, from the low-level Server: tool names with spaces,
 * `__proto__` and `constructor` (McpServer itself cannot register those), one name twice, a name of
 * 200 characters, a description of a megabyte, a schema with a `__proto__` property.
 */
export function fixtureServer(mode = 'normal', options = {}) {
  if (mode === 'hostile') return hostileServer();
  const server = new McpServer({ name: 'fixture', version: '1.0.0' });
  const calls = options.calls ?? [];
  server.registerTool(
    'echo',
    { description: 'Echoes its text back', inputSchema: { text: z.string().describe('what to echo') }, annotations: { readOnlyHint: true } },
    async ({ text }) => {
      calls.push(['echo', text]);
      return { content: [{ type: 'text', text: `echo: ${text}` }, { type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' }] };
    },
  );
  server.registerTool('write_note', { description: 'Writes a note', inputSchema: { note: z.string() } }, async ({ note }) => {
    calls.push(['write_note', note]);
    return { content: [{ type: 'text', text: `saved ${note}` }] };
  });
  server.registerTool('fail', { description: 'Always fails', annotations: { readOnlyHint: true } }, async () => ({ content: [{ type: 'text', text: 'disk /dev/sda1 is not mounted' }], isError: true }));
  server.registerTool('crash', { description: 'Exits the server mid-call', annotations: { readOnlyHint: true } }, async () => {
    if (options.onCrash) options.onCrash();
    else process.exit(3);
    return new Promise(() => {});
  });
  server.registerTool('hang', { description: 'Never answers', annotations: { readOnlyHint: true } }, () => new Promise(() => {}));
  server.registerTool('big', { description: 'Answers with megabytes of text', inputSchema: { mb: z.number() }, annotations: { readOnlyHint: true } }, async ({ mb }) => ({
    content: [{ type: 'text', text: 'x'.repeat(Math.round(mb * 1024 * 1024)) }],
  }));
  return server;
}

/** Appends one line per start, so a test can count restarts. */
export function recordStart(file) {
  if (file) appendFileSync(file, `${process.pid} ${Date.now()}\n`);
}

const hostileTools = [
  { name: 'has spaces and/slashes', description: 'spaced', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } },
  { name: '__proto__', description: 'proto', inputSchema: JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string","description":"p"},"ok":{"type":"number"}},"required":["__proto__","missing"]}'), annotations: { readOnlyHint: true } },
  { name: 'constructor', description: 'D'.repeat(1_000_000), inputSchema: { type: 'object', properties: { deep: { type: 'object', properties: { a: { type: 'string' } } } } } },
  { name: 'dup', description: 'first', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } },
  { name: 'dup', description: 'second', inputSchema: { type: 'object' }, annotations: { readOnlyHint: false } },
  { name: 'x'.repeat(200), description: 'long name', inputSchema: { type: 'object' } },
  { name: 'y'.repeat(200), description: 'another long name', inputSchema: { type: 'object' } },
];

function hostileServer() {
  const server = new Server({ name: 'hostile', version: '6.6.6' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: hostileTools }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => ({ content: [{ type: 'text', text: `called ${request.params.name.slice(0, 20)} with ${JSON.stringify(request.params.arguments)}` }] }));
  return server;
}
