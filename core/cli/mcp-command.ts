import { createBrunoMcp, serveMcpOverStdio } from '../mcp';
import { appVersion, type Core } from '../runtime';
import { exitCodes, type CliIo } from './io';

/**
 * `agent-bruno mcp`: Bruno as an MCP server over stdio, for an editor or another agent. Stdout is
 * the protocol's alone (the core logs to stderr); ends when the client closes stdin, or Ctrl-C.
 */
export async function mcpCommand(core: Core, io: CliIo): Promise<number> {
  if (!io.stdio) {
    io.stderr.write('agent-bruno: mcp needs the process stdin and stdout\n');
    return exitCodes.failed;
  }
  const { stdin, stdout } = io.stdio;
  const mcp = createBrunoMcp({ handlers: core.handlers, events: core.events, version: appVersion });
  const removeInterrupt = io.onInterrupt(() => stdin.destroy());
  try {
    await serveMcpOverStdio(mcp, stdin, stdout);
  } finally {
    removeInterrupt();
    mcp.close();
  }
  return exitCodes.ok;
}
