/**
 * The paths of the headless HTTP transport, shared by the server (core/server) and the
 * renderer's HTTP bridge so both sides use one set of names.
 */
export const httpPaths = {
  health: '/api/v1/health',
  chat: '/api/v1/chat',
  invoke: (channel: string) => `/api/v1/invoke/${channel}`,
  invokePrefix: '/api/v1/invoke/',
  events: '/api/v1/events',
  /** Bruno as an MCP server (streamable HTTP), same token and Host rule as the API. */
  mcp: '/mcp',
} as const;

/** The response of an invoke over HTTP. */
export type InvokeEnvelope<T> = { ok: true; result: T } | { ok: false; error: { code: string; message: string } };

/** One line of the `/api/v1/events` NDJSON stream. `ping` lines keep idle proxies from closing it. */
export type EventLine = { channel: string; payload: unknown } | { ping: number };

/** Where the headless page finds its token: the URL fragment, never sent to a server or a log. */
export const tokenFragmentKey = 'token';
