import { parseArgs } from 'node:util';
import { BrunoError } from '../common/errors';
import { loadSettings, type Settings } from '../config';
import { createCore, type Core } from '../runtime';
import { askCommand } from './ask-command';
import { healthCommand } from './health-command';
import { ingestCommand } from './ingest-command';
import { searchCommand } from './search-command';
import { evalCommand } from './eval-command';
import { exitCodes, oneLine, type CliIo } from './io';
import { mcpCommand } from './mcp-command';
import { serveCommand } from './serve-command';
import { usage } from './usage';

export interface RunCliDeps {
  io: CliIo;
  createCore?: (settings: Settings) => Core;
  staticDir?: string;
}

/** Parses argv, runs one command, returns its exit code. Never throws. */
export async function runCli(argv: string[], deps: RunCliDeps): Promise<number> {
  const { io } = deps;
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(usage + '\n');
    return command ? exitCodes.ok : exitCodes.usage;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        conversation: { type: 'string' },
        json: { type: 'boolean', default: false },
        port: { type: 'string' },
        host: { type: 'string' },
        mode: { type: 'string' },
        fusion: { type: 'string' },
        k: { type: 'string', short: 'k' },
        all: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    io.stderr.write(`agent-bruno: ${oneLine((err as Error).message)} (see \`agent-bruno help\`)\n`);
    return exitCodes.usage;
  }
  const { values, positionals } = parsed;

  let settings: Settings;
  try {
    const env = { ...io.env };
    if (typeof values.port === 'string') env.BRUNO_PORT = values.port;
    if (typeof values.host === 'string') env.BRUNO_HOST = values.host;
    // `--fusion` is BRUNO_KB_FUSION for one command, validated with the rest of the settings.
    if (typeof values.fusion === 'string') env.BRUNO_KB_FUSION = values.fusion;
    settings = loadSettings({ env });
  } catch (err) {
    io.stderr.write(`agent-bruno: ${oneLine((err as Error).message)}\n`);
    return exitCodes.usage;
  }

  if (!['ask', 'serve', 'health', 'ingest', 'search', 'eval', 'mcp'].includes(command)) {
    io.stderr.write(`agent-bruno: unknown command '${command}' (see \`agent-bruno help\`)\n`);
    return exitCodes.usage;
  }
  if (command === 'ask' && positionals.length === 0) {
    io.stderr.write('agent-bruno: ask needs a question, e.g. agent-bruno ask "why is my NAS slow?"\n');
    return exitCodes.usage;
  }

  if (command === 'ingest' && positionals.length === 0 && values.all !== true) {
    io.stderr.write('agent-bruno: ingest needs files or folders, e.g. agent-bruno ingest ~/notes ~/homelab (or --all to re-ingest every source)\n');
    return exitCodes.usage;
  }
  const mode = (values.mode ?? 'hybrid') as string;
  // Values are validated by the method each command mirrors (kb.search, kb.eval): one set of rules.
  const k = values.k === undefined ? (command === 'eval' ? 10 : 8) : Number(values.k);
  if (command === 'eval' && positionals.length !== 1) {
    io.stderr.write('agent-bruno: eval needs one JSONL file of labelled queries, e.g. agent-bruno eval queries.jsonl\n');
    return exitCodes.usage;
  }
  if (command === 'search' && positionals.length === 0) {
    io.stderr.write('agent-bruno: search needs a query, e.g. agent-bruno search "nas ip address"\n');
    return exitCodes.usage;
  }

  // Only the long-running `serve` writes the rotating log file; one-shot commands log to OTLP only.
  // `mcp` runs beside the desktop app (which owns the file) and logs to stderr: stdout is the protocol's.
  const logging = command === 'serve' ? {} : command === 'mcp' ? { file: false, stderr: true } : { file: false };
  // A one-shot search must not start an ANN index build it would not wait for (ingest waits for it).
  const buildAnnIndex = command !== 'search' && command !== 'eval';
  // MCP servers (tools for a turn) only where a turn runs; never under `mcp`, which could start itself.
  const mcp = { clients: command === 'serve' || command === 'ask' };
  // The answer judge runs after an answer, in the background: only where the process stays up.
  const judge = { enabled: command === 'serve' || command === 'mcp' };
  const core = (deps.createCore ?? ((s) => createCore({ settings: s, env: io.env, logging, buildAnnIndex, mcp, judge, backgroundEval: command === 'serve' })))(settings);
  try {
    switch (command) {
      case 'ask':
        return await askCommand(core, io, {
          question: positionals.join(' '),
          model: values.model as string | undefined,
          conversationId: values.conversation as string | undefined,
          json: values.json === true,
        });
      case 'ingest':
        return await ingestCommand(core, io, { paths: positionals, all: values.all === true, json: values.json === true });
      case 'search':
        return await searchCommand(core, io, { query: positionals.join(' '), mode, k, json: values.json === true });
      case 'eval':
        return await evalCommand(core, io, { file: positionals[0]!, depth: k, json: values.json === true });
      case 'serve':
        return await serveCommand(core, settings, io, deps.staticDir);
      case 'mcp':
        return await mcpCommand(core, io);
      default:
        return await healthCommand(core, io, values.json === true);
    }
  } catch (err) {
    const message = err instanceof BrunoError || err instanceof Error ? err.message : String(err);
    io.stderr.write(`agent-bruno: ${oneLine(message)}\n`);
    return exitCodes.failed;
  } finally {
    await core.close();
  }
}
