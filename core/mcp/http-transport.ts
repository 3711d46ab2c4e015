/**
 * `/mcp` on the headless server: streamable HTTP, stateless (each POST gets its own server and
 * transport, as the SDK recommends when no session state is kept). The headless server checks the
 * Host header and the bearer token before calling this, as for the API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { TraceCarrier } from '../common/telemetry';
import type { BrunoMcp } from './bruno-mcp-server';

/**
 * `parsedBody`: the JSON body, read by the server with its size cap. `trace`: the request's server
 * span, which the tools' work joins (an `ask` turn becomes its child, as on /api/v1/chat).
 */
export async function handleMcpPost(mcp: BrunoMcp, req: IncomingMessage, res: ServerResponse, parsedBody: unknown, trace?: TraceCarrier): Promise<void> {
  const server = mcp.newServer({ trace });
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, parsedBody);
}

/** GET (a server-to-client stream) and DELETE (end a session) mean nothing without sessions. */
export function refuseMcpMethod(res: ServerResponse): void {
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless; POST JSON-RPC messages to it.' }, id: null });
  res.writeHead(405, { 'content-type': 'application/json', allow: 'POST' }).end(body);
}
