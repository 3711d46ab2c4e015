/**
 * A streamable HTTP MCP server on loopback for the client tests, in the test's own process:
 * stateless (a server and transport per request, as the SDK's example does) and requiring a
 * bearer token, so a test sees that the configured headers are sent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
// @ts-expect-error plain ESM fixture without types
import { fixtureServer } from './fixture-tools.mjs';

export interface HttpMcpFixture {
  url: string;
  /** Authorization headers seen, one per request. */
  authorizations: string[];
  close(): Promise<void>;
}

export async function startHttpMcpFixture(token: string, port = 0): Promise<HttpMcpFixture> {
  const authorizations: string[] = [];
  const server: Server = createServer(async (req, res) => {
    authorizations.push(req.headers.authorization ?? '');
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const mcp = fixtureServer('normal', { onCrash: () => res.destroy() });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    authorizations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()),
  };
}
