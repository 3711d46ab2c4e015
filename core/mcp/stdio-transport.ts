/**
 * `agent-bruno mcp`: Bruno over stdio for an editor. Stdout carries the protocol only: the core
 * it runs on logs to stderr, never to stdout (see core/cli/mcp-command.ts).
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Readable, Writable } from 'node:stream';
import type { BrunoMcp } from './bruno-mcp-server';

/** Resolves when the client closes the connection (stdin ends). */
export async function serveMcpOverStdio(mcp: BrunoMcp, stdin: Readable, stdout: Writable): Promise<void> {
  const server = mcp.newServer();
  const transport = new StdioServerTransport(stdin, stdout);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    stdin.once('end', () => resolve());
    stdin.once('close', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close().catch(() => {});
}
