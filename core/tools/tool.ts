/**
 * The port every tool implements, built-in (core/tools/builtin) or from an MCP server: a name,
 * a JSON-schema of its arguments that a small model can fill in, whether it only reads, and
 * `run`. A tool's failure is a result the model reads ("Prometheus answered 400: ..."), not a
 * thrown error: `run` resolves with `isError` instead. The turn (core/agent) enforces the
 * timeout, the token budget and the policy; a tool only honours `signal`.
 */
import type { Context } from '@opentelemetry/api';

/** The JSON-schema subset Ollama's `tools[].function.parameters` carries. */
export interface ToolParameters {
  type: 'object';
  properties: Record<string, { type?: string | string[]; description?: string; enum?: unknown[]; items?: unknown }>;
  required?: string[];
}

export interface ToolRunContext {
  signal: AbortSignal;
  /** The tool call's span, for a tool that calls out (HTTP client spans go under it). */
  parent?: Context;
}

export interface ToolResult {
  /** Compact text for a small model: a table of series, a list of alerts, not raw JSON. */
  text: string;
  isError?: boolean;
}

export interface Tool {
  /** `^[a-zA-Z0-9_.-]{1,64}$`: built-in names are snake_case, MCP ones `server.tool`. */
  readonly name: string;
  readonly description: string;
  readonly parameters: ToolParameters;
  /** Only reads (a built-in tool, or an MCP tool annotated `readOnlyHint: true`). */
  readonly readOnly: boolean;
  /** 'builtin' or the MCP server's name. */
  readonly source: string;
  /** null when it can run now; else why not (its source is not configured, its server is down). */
  unavailable(): string | null;
  run(args: Record<string, unknown>, context: ToolRunContext): Promise<ToolResult>;
}

/** Where tools come from: the built-ins, or one MCP client per server. Read at each turn. */
export interface ToolSource {
  tools(): readonly Tool[];
}
