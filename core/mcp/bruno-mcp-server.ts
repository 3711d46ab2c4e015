/**
 * Bruno as an MCP server: what an editor or another agent may use of it (ask, the knowledge
 * base, memory, alerts, health), each tool one or two contract methods called through
 * `invokeMethod` with the origin 'mcp' (validated like any transport's call, never the core's
 * internals). One `BrunoMcp` per host (the stdio command, the headless server); `newServer()`
 * gives an McpServer for one connection or, over stateless HTTP, one request.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { invokeMethod, type ContractHandlers, type InvokeChannel } from '../common/contract';
import type { EventHub } from '../common/emitter';
import { toErrorInfo } from '../common/errors';
import type { AlertsState } from '../common/alerts';
import type { HealthState } from '../common/health';
import type { IngestProgress, KbSource, SearchResult } from '../common/knowledge';
import type { MemoryEntry } from '../common/memory';
import type { MethodContext } from '../common/method';
import type { TraceCarrier } from '../common/telemetry';
import { askThroughContract } from './ask-turn';
import { alertsText, answerText, healthText, ingestStatusText, memoryText, searchText } from './text-views';

export interface BrunoMcpDeps {
  handlers: ContractHandlers;
  events: EventHub;
  version: string;
}

/** What one connection (stdio) or one request (stateless HTTP) brings along. */
export interface McpConnection {
  /**
   * The request's trace (over HTTP: the headless server's SERVER span, itself a child of the
   * caller's traceparent): what the tools start, the `ask` turn first, joins it.
   */
  trace?: TraceCarrier | undefined;
}

export interface BrunoMcp {
  newServer(connection?: McpConnection): McpServer;
  /** Stops following ingestion jobs. */
  close(): void;
}

const text = (value: string, isError = false): CallToolResult => ({ content: [{ type: 'text', text: value }], ...(isError ? { isError: true } : {}) });
const readOnly = { readOnlyHint: true, destructiveHint: false, openWorldHint: false } as const;
const maxJobs = 20;

export function createBrunoMcp(deps: BrunoMcpDeps): BrunoMcp {
  // Running ingestion jobs, from the kb.progress events (the contract has no method for them).
  const jobs = new Map<string, IngestProgress>();
  const offProgress = deps.events.on('kb.progress', (event) => {
    if (event.type === 'progress') {
      jobs.set(event.jobId, event);
      if (jobs.size > maxJobs) jobs.delete(jobs.keys().next().value!);
    } else if (event.type === 'done' || event.type === 'error') jobs.delete(event.jobId);
  });

  const contextOf = (signal: AbortSignal, trace: TraceCarrier | undefined): MethodContext => ({ origin: 'mcp', signal, ...(trace ? { trace } : {}) });
  /** A contract error (a bad query, Ollama down) is an error result the caller's model can read. */
  const guarded =
    <A>(run: (args: A, signal: AbortSignal) => Promise<CallToolResult>) =>
    async (args: A, extra: { signal: AbortSignal }): Promise<CallToolResult> => {
      try {
        return await run(args, extra.signal);
      } catch (err) {
        return text(toErrorInfo(err).message, true);
      }
    };

  function newServer(connection: McpConnection = {}): McpServer {
    const call = async (channel: InvokeChannel, input: unknown, signal: AbortSignal) => invokeMethod(deps.handlers, channel, input, contextOf(signal, connection.trace));
    const server = new McpServer({ name: 'agent-bruno', version: deps.version }, { instructions: "Agent Bruno: a homelab operator's agent. Ask it about the homelab; search its knowledge base and memory; read active alerts and the stack's health." });

    server.registerTool(
      'ask',
      {
        title: 'Ask Agent Bruno',
        description: 'Asks Agent Bruno a question: a full chat turn with its knowledge base, memory and read-only tools. Answers with the sources it cited. Tools that need a person to approve them are refused.',
        inputSchema: {
          question: z.string().trim().min(1).max(20_000).describe('The question, in plain words'),
          conversationId: z.string().max(128).optional().describe('Continue this conversation (from an earlier answer)'),
          model: z.string().max(200).optional().describe('An Ollama model name; default: the configured chat model'),
        },
        // It records the conversation in Bruno's memory: not read-only, but destroys nothing.
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      },
      guarded(async (args: { question: string; conversationId?: string | undefined; model?: string | undefined }, signal) => {
        const outcome = await askThroughContract(deps, args, signal, contextOf(signal, connection.trace));
        if (outcome.end.type === 'error') return text(`${outcome.end.message}${outcome.answer ? `\n\nPartial answer:\n${outcome.answer}` : ''}`, true);
        return { ...text(answerText(outcome.answer, outcome.end.sources)), structuredContent: { answer: outcome.answer, conversationId: outcome.conversationId, sources: outcome.end.sources, traceId: outcome.end.stats.trace_id } };
      }),
    );

    server.registerTool(
      'kb_search',
      {
        title: 'Search the knowledge base',
        description: "Searches Agent Bruno's knowledge base (the operator's notes and docs) and returns the best passages with their files.",
        inputSchema: {
          query: z.string().trim().min(1).max(2000),
          k: z.number().int().min(1).max(50).optional().describe('How many results (default 8)'),
          mode: z.enum(['hybrid', 'vector', 'fts']).optional(),
        },
        annotations: readOnly,
      },
      guarded(async (args: { query: string; k?: number | undefined; mode?: 'hybrid' | 'vector' | 'fts' | undefined }, signal) =>
        text(searchText((await call('kb.search', { query: args.query, k: args.k ?? 8, ...(args.mode ? { mode: args.mode } : {}) }, signal)) as SearchResult)),
      ),
    );

    server.registerTool(
      'kb_ingest_status',
      { title: 'Knowledge base sources', description: 'The folders and files in the knowledge base, with counts and when they were last ingested, and ingestion jobs running now.', inputSchema: {}, annotations: readOnly },
      guarded(async (_args: object, signal) => text(ingestStatusText((await call('kb.sources', undefined, signal)) as KbSource[], [...jobs.values()]))),
    );

    server.registerTool(
      'memory_search',
      {
        title: 'Search memory',
        description: 'Searches the facts and standing instructions Agent Bruno remembers.',
        inputSchema: { query: z.string().max(1000).describe('Words to look for; empty lists everything'), type: z.enum(['semantic', 'procedural']).optional().describe('semantic = facts, procedural = standing instructions') },
        annotations: readOnly,
      },
      guarded(async (args: { query: string; type?: 'semantic' | 'procedural' | undefined }, signal) =>
        text(memoryText((await call('memory.list', { ...(args.query.trim() ? { query: args.query } : {}), ...(args.type ? { type: args.type } : {}) }, signal)) as MemoryEntry[])),
      ),
    );

    server.registerTool(
      'memory_add',
      {
        title: 'Remember',
        description: 'Makes Agent Bruno remember a fact (semantic) or a standing instruction (procedural).',
        inputSchema: { type: z.enum(['semantic', 'procedural']), text: z.string().trim().min(1).max(2000) },
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      },
      guarded(async (args: { type: 'semantic' | 'procedural'; text: string }, signal) => {
        const entry = (await call('memory.add', { type: args.type, text: args.text }, signal)) as MemoryEntry;
        return text(`Remembered (${entry.type === 'semantic' ? 'fact' : 'instruction'}, id ${entry.id}): ${entry.text}`);
      }),
    );

    server.registerTool(
      'alerts_active',
      { title: 'Active alerts', description: 'The alerts pending or firing now in the homelab (evaluated by the app, or read from Prometheus/Alertmanager).', inputSchema: {}, annotations: readOnly },
      guarded(async (_args: object, signal) => text(alertsText((await call('alerts.list', undefined, signal)) as AlertsState))),
    );

    server.registerTool(
      'health',
      { title: 'Stack health', description: "The health of Agent Bruno's stack: Ollama, telemetry export, Prometheus, Alertmanager, alerts, MCP servers.", inputSchema: {}, annotations: readOnly },
      guarded(async (_args: object, signal) => text(healthText((await call('health.get', undefined, signal)) as HealthState))),
    );
    return server;
  }

  return { newServer, close: offProgress };
}
