/**
 * One MCP server the app is a client of, over stdio (a command the app runs) or streamable HTTP.
 * It connects in the background, lists the server's tools as `Tool`s, and when the server dies,
 * stops answering pings or cannot be reached, it says so (health, `unavailable()`) and tries
 * again with exponential backoff, capped. Nothing here blocks the start of the app or a chat:
 * a call to a server that is down is an error result at once, and every call honours its signal.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerHealth } from '../../common/health';
import type { McpServerSettings } from '../../config';
import type { Tool, ToolResult } from '../tool';
import { modelToolNames } from './mcp-names';
import { toToolResult } from './mcp-result';
import { capText, maxDescriptionChars, toolParameters } from './mcp-schema';

export interface McpTiming {
  /** initialize + tools/list of one attempt. */
  connectTimeoutMs: number;
  /** A connected server is pinged this often; one that does not answer is restarted. */
  pingIntervalMs: number;
  pingTimeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Connected this long, the next failure starts the backoff from the beginning again. */
  stableMs: number;
  /** The longest a call may take whatever its signal says (the turn's timeout is shorter). */
  callCeilingMs: number;
}

export const defaultMcpTiming: McpTiming = {
  connectTimeoutMs: 20_000,
  pingIntervalMs: 30_000,
  pingTimeoutMs: 10_000,
  backoffInitialMs: 1_000,
  backoffMaxMs: 5 * 60_000,
  stableMs: 60_000,
  callCeilingMs: 10 * 60_000,
};

export type McpLog = (level: 'debug' | 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;

export interface McpConnectionOptions {
  name: string;
  config: McpServerSettings;
  clientVersion: string;
  timing: McpTiming;
  log: McpLog;
  onChange: () => void;
}

export interface McpConnection {
  health(): McpServerHealth;
  tools(): readonly Tool[];
  /** Resolves once the first attempt has connected or failed. */
  readonly firstAttempt: Promise<void>;
  /** Closes the client; a stdio server's process is ended (stdin closed, then SIGTERM, SIGKILL). */
  stop(): Promise<void>;
}

/** A stdio line of a tool result may be this long (the SDK's default is 10 MB). */
const maxMessageBytes = 32 * 1024 * 1024;
const maxTools = 128;
const maxListPages = 10;

const messageOf = (err: unknown): string => capText(err instanceof Error ? err.message : String(err), 500) || 'unknown error';

function describeStartError(err: unknown, config: McpServerSettings): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if ('command' in config && code === 'ENOENT') return `command '${capText(config.command, 200)}' was not found (or its cwd does not exist)`;
  if ('command' in config && code === 'EACCES') return `command '${capText(config.command, 200)}' is not executable`;
  return messageOf(err);
}

export function startMcpConnection(options: McpConnectionOptions): McpConnection {
  const { name, config, timing, log } = options;
  const transportKind: McpServerHealth['transport'] = 'command' in config ? 'stdio' : 'http';
  let state: McpServerHealth['state'] = 'connecting';
  let lastError: string | null = null;
  let restarts = 0;
  let failures = 0;
  let connectedAt = 0;
  let retryAt: number | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let pingTimer: NodeJS.Timeout | null = null;
  let client: Client | null = null;
  let tools: Tool[] = [];
  let stopped = false;
  let stderrTail = '';
  let transportError: string | null = null;
  let settleFirst: () => void = () => {};
  const firstAttempt = new Promise<void>((resolve) => (settleFirst = resolve));

  const changed = () => {
    try {
      options.onChange();
    } catch {
      // A listener's failure is its own.
    }
  };

  const unavailable = (): string | null => {
    if (state === 'connected') return null;
    const why = lastError ? `: ${lastError}` : '';
    return state === 'connecting' ? `MCP server '${name}' is starting` : `MCP server '${name}' is down${why}`;
  };

  function makeTransport(): Transport {
    if ('command' in config) {
      const transport = new StdioClientTransport({
        command: config.command,
        args: config.args,
        // Merged over the SDK's small default environment (PATH, HOME, ...), not the app's own:
        // the app's tokens (BRUNO_API_TOKEN, ...) never reach a server's process.
        env: config.env,
        ...(config.cwd ? { cwd: config.cwd } : {}),
        // Piped and drained (a full pipe would block the server); the tail explains an exit.
        stderr: 'pipe',
        maxBufferSize: maxMessageBytes,
      });
      transport.stderr?.on('data', (chunk: Buffer) => (stderrTail = (stderrTail + chunk.toString('utf8')).slice(-1000)));
      return transport;
    }
    return new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: config.headers } });
  }

  const lastStderrLine = () => {
    const line = stderrTail.trim().split('\n').at(-1)?.trim();
    return line ? ` (stderr: ${capText(line, 300)})` : '';
  };

  async function listTools(c: Client) {
    const listed: Array<{ name: string; description?: string; title?: string; inputSchema?: unknown; annotations?: { readOnlyHint?: boolean } }> = [];
    let cursor: string | undefined;
    for (let page = 0; page < maxListPages && listed.length < maxTools; page++) {
      const answer = await c.listTools(cursor ? { cursor } : undefined, { timeout: timing.connectTimeoutMs });
      listed.push(...answer.tools);
      cursor = answer.nextCursor;
      if (!cursor) break;
    }
    if (listed.length > maxTools) log('warn', `MCP server '${name}' offers ${listed.length} tools; the first ${maxTools} are used`, { server: name });
    return listed.slice(0, maxTools);
  }

  function toTools(listed: Awaited<ReturnType<typeof listTools>>): Tool[] {
    const names = modelToolNames(name, listed.map((t) => (typeof t.name === 'string' ? t.name : '')));
    return listed.map((listedTool, i) => {
      const original = listedTool.name;
      return {
        name: names[i]!,
        description: capText(listedTool.description ?? listedTool.title ?? '', maxDescriptionChars),
        parameters: toolParameters(listedTool.inputSchema),
        // Only what the server itself declares read-only: anything else asks first.
        readOnly: listedTool.annotations?.readOnlyHint === true,
        source: name,
        unavailable,
        run: (args, context) => call(original, args, context.signal),
      } satisfies Tool;
    });
  }

  async function call(original: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolResult> {
    const c = client;
    if (!c || state !== 'connected') return { text: unavailable() ?? `MCP server '${name}' is not connected`, isError: true };
    if (signal.aborted) return { text: `The call to ${name} was stopped before it started`, isError: true };
    try {
      return toToolResult(await c.callTool({ name: original, arguments: args }, undefined, { signal, timeout: timing.callCeilingMs }));
    } catch (err) {
      if (signal.aborted) return { text: `The call to MCP server '${name}' was stopped: ${messageOf(signal.reason ?? err)}`, isError: true };
      return { text: `MCP server '${name}' failed: ${messageOf(err)}`, isError: true };
    }
  }

  function stopPing() {
    if (pingTimer) clearInterval(pingTimer);
    pingTimer = null;
  }

  function startPing(c: Client) {
    let inFlight = false;
    pingTimer = setInterval(() => {
      if (inFlight || client !== c) return;
      inFlight = true;
      c.ping({ timeout: timing.pingTimeoutMs })
        .catch((err: unknown) => {
          if (client === c) down(`did not answer a ping: ${messageOf(err)}`);
        })
        .finally(() => (inFlight = false));
    }, timing.pingIntervalMs);
    pingTimer.unref?.();
  }

  /** The server is gone (or never came): close what is left and try again later. */
  function down(reason: string) {
    const c = client;
    client = null;
    stopPing();
    void c?.close().catch(() => {});
    if (stopped) return;
    if (connectedAt && Date.now() - connectedAt >= timing.stableMs) failures = 0;
    connectedAt = 0;
    failures += 1;
    lastError = reason;
    state = 'failed';
    const delay = Math.min(timing.backoffMaxMs, timing.backoffInitialMs * 2 ** Math.min(failures - 1, 30));
    retryAt = Date.now() + delay;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      restarts += 1;
      void attempt();
    }, delay);
    retryTimer.unref?.();
    log('warn', `MCP server '${name}' is down: ${reason}; next attempt in ${Math.round(delay / 1000)} s`, { server: name, transport: transportKind, retryInMs: delay });
    changed();
    settleFirst();
  }

  async function refreshTools(c: Client) {
    try {
      const listed = await listTools(c);
      if (client === c) {
        tools = toTools(listed);
        changed();
      }
    } catch (err) {
      log('warn', `MCP server '${name}' announced new tools but could not list them: ${messageOf(err)}`, { server: name });
    }
  }

  async function attempt() {
    if (stopped) return;
    state = 'connecting';
    retryAt = null;
    stderrTail = '';
    transportError = null;
    changed();
    const c = new Client({ name: 'agent-bruno', version: options.clientVersion }, { capabilities: {} });
    client = c;
    c.onclose = () => {
      if (client === c) down(`${transportError ?? 'the server closed the connection'}${lastStderrLine()}`);
    };
    c.onerror = (err) => {
      transportError = messageOf(err);
      log('debug', `MCP server '${name}': ${transportError}`, { server: name });
    };
    try {
      let transport: Transport;
      try {
        transport = makeTransport();
      } catch (err) {
        throw new Error(describeStartError(err, config), { cause: err });
      }
      await c.connect(transport, { timeout: timing.connectTimeoutMs }).catch((err: unknown) => {
        throw new Error(describeStartError(err, config), { cause: err });
      });
      const listed = await listTools(c);
      if (client !== c) return;
      tools = toTools(listed);
      if (c.getServerCapabilities()?.tools?.listChanged) c.setNotificationHandler(ToolListChangedNotificationSchema, () => void refreshTools(c));
      state = 'connected';
      connectedAt = Date.now();
      startPing(c);
      log('info', `MCP server '${name}' connected with ${tools.length} tools`, { server: name, transport: transportKind, tools: tools.length });
      changed();
      settleFirst();
    } catch (err) {
      if (client === c) down(`${messageOf(err)}${lastStderrLine()}`);
    }
  }

  void attempt();

  return {
    health: () => ({ name, transport: transportKind, state, tools: tools.length, lastError, restarts, retryAt: state === 'failed' && retryAt ? new Date(retryAt).toISOString() : null }),
    tools: () => tools,
    firstAttempt,
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      stopPing();
      const c = client;
      client = null;
      settleFirst();
      await c?.close().catch(() => {});
    },
  };
}
