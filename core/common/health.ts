import type { AlertSeverity, ServiceHealth } from './alerts';
import type { ExportHealth } from './telemetry';

/** One health state for the whole stack; the UI strip, the tray and `GET /api/v1/health` show it. */
export type HealthStatus = 'ok' | 'degraded' | 'down';

export interface OllamaHealth {
  url: string;
  reachable: boolean;
  version: string | null;
  /** Names of the models loaded right now (`/api/ps`). */
  loadedModels: string[];
  error: string | null;
}

export interface HealthState {
  status: HealthStatus;
  checkedAt: string;
  ollama: OllamaHealth;
  export: ExportHealth;
  /** null when not configured. Unreachable = degraded, never "no alerts". */
  prometheus: ServiceHealth | null;
  alertmanager: ServiceHealth | null;
  alerts: { firing: number; pending: number; highestSeverity: AlertSeverity | null };
  /** One entry per configured MCP server (settings `mcpServers`), in settings order. */
  mcp: McpServerHealth[];
}

/**
 * An MCP server the app is a client of: `connecting` (first start or a restart in progress),
 * `connected` (its tools are offered), `failed` (down; retried with backoff at `retryAt`),
 * `disabled` (configured with `disabled: true`).
 */
export interface McpServerHealth {
  name: string;
  transport: 'stdio' | 'http';
  state: 'connecting' | 'connected' | 'failed' | 'disabled';
  /** Tools it offers (0 until it has listed them). */
  tools: number;
  /** Why it last failed (kept after it recovers, until the next failure replaces it). */
  lastError: string | null;
  /** Restarts since the app started. */
  restarts: number;
  /** When the next attempt starts, while failed. */
  retryAt: string | null;
}

export interface ModelInfo {
  name: string;
  family: string | null;
  parameterSize: string | null;
  quantization: string | null;
  sizeBytes: number;
  /** True when `/api/ps` lists it. */
  loaded: boolean;
  /** Allocated context of the loaded model, when loaded. */
  contextLength: number | null;
  sizeVramBytes: number | null;
  /** The chat model from settings (used when a request names none). */
  isDefault: boolean;
}
