/**
 * What the UI, the transports and the core share about tools: the catalog entry of a tool and the
 * state of one call inside a turn. The port the core's tools implement is core/tools/tool.ts.
 */

/** Per-tool choice of the user: never offered, offered but each call asks first, offered and run. */
export const toolPolicies = ['off', 'ask', 'allow'] as const;
export type ToolPolicy = (typeof toolPolicies)[number];

/** One tool as the Settings view and `tools.list` show it. */
export interface ToolInfo {
  /** `prometheus_query` for a built-in tool, `server.tool` for one of an MCP server. */
  name: string;
  description: string;
  /** 'builtin', or the MCP server's name. */
  source: string;
  readOnly: boolean;
  /** The policy in effect (the user's, else the default for its kind). */
  policy: ToolPolicy;
  /** What it gets when the user has not chosen: allow for a read-only tool, ask otherwise (core/tools). */
  defaultPolicy: ToolPolicy;
  /** null when the tool can run; else why not, in words that say what to set ("set PROMETHEUS_URL"). */
  unavailable: string | null;
}

export type ToolCallStatus = 'running' | 'awaiting_approval' | 'ok' | 'error' | 'denied';

/**
 * One tool call of a turn, sent as a `tool` event each time its status changes (the UI keeps the
 * latest per id). `result` is what the model was given, after the token budget cut it.
 */
export interface ToolCallView {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
  status: ToolCallStatus;
  result?: string;
  truncated?: boolean;
  durationMs?: number;
}
