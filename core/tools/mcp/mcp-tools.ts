/**
 * The MCP client side of the app: one connection per server of settings `mcpServers`, started
 * with the core and again whenever the settings change (a server added, changed, enabled,
 * disabled or removed), together a `ToolSource` for the registry. Their state is part of health.
 */
import type { McpServerHealth } from '../../common/health';
import type { McpServerSettings, SettingsStore } from '../../config';
import type { Tool, ToolSource } from '../tool';
import { defaultMcpTiming, startMcpConnection, type McpConnection, type McpLog, type McpTiming } from './mcp-connection';

export interface McpToolsDeps {
  settings: SettingsStore;
  clientVersion: string;
  log: McpLog;
  /** Told when a server's state or tools change (the health monitor re-checks). */
  onChange?: () => void;
  timing?: Partial<McpTiming>;
}

export interface McpTools extends ToolSource {
  health(): McpServerHealth[];
  /** Resolves when every enabled server has connected or failed once, or after `timeoutMs`. */
  settled(timeoutMs: number): Promise<void>;
  /** Stops every server (their processes end); safe to call twice. */
  close(): Promise<void>;
}

/** Key order does not make two configurations different. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

interface Entry {
  key: string;
  config: McpServerSettings;
  connection: McpConnection | null;
}

export function createMcpTools(deps: McpToolsDeps): McpTools {
  const timing = { ...defaultMcpTiming, ...deps.timing };
  const entries = new Map<string, Entry>();
  const stopping = new Set<Promise<void>>();
  let closed = false;
  const changed = () => deps.onChange?.();

  const stop = (entry: Entry) => {
    if (!entry.connection) return;
    const done = entry.connection.stop().finally(() => stopping.delete(done));
    stopping.add(done);
  };

  function reconcile(servers: Readonly<Record<string, McpServerSettings>>) {
    const wanted = new Set(Object.keys(servers));
    for (const [name, entry] of entries) {
      if (!wanted.has(name)) {
        stop(entry);
        entries.delete(name);
        deps.log('info', `MCP server '${name}' was removed from the settings`, { server: name });
      }
    }
    for (const [name, config] of Object.entries(servers)) {
      const key = canonical(config);
      const existing = entries.get(name);
      if (existing?.key === key) continue;
      if (existing) stop(existing);
      const connection = config.disabled ? null : startMcpConnection({ name, config, clientVersion: deps.clientVersion, timing, log: deps.log, onChange: changed });
      entries.set(name, { key, config, connection });
    }
    changed();
  }

  reconcile(deps.settings.get().mcpServers);
  const unsubscribe = deps.settings.subscribe((next, paths) => {
    if (!closed && paths.some((p) => p === 'mcpServers' || p.startsWith('mcpServers.'))) reconcile(next.mcpServers);
  });

  return {
    tools(): readonly Tool[] {
      return [...entries.values()].flatMap((e) => e.connection?.tools() ?? []);
    },
    health() {
      return [...entries].map(([name, e]) => e.connection?.health() ?? { name, transport: 'command' in e.config ? 'stdio' : 'http', state: 'disabled', tools: 0, lastError: null, restarts: 0, retryAt: null });
    },
    async settled(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.all([...entries.values()].map((e) => e.connection?.firstAttempt)), timeout]);
      clearTimeout(timer);
    },
    async close() {
      if (!closed) {
        closed = true;
        unsubscribe();
        for (const entry of entries.values()) stop(entry);
      }
      await Promise.all([...stopping]);
    },
  };
}
