import type { HealthState, HealthStatus, McpServerHealth, OllamaHealth } from '../common/health';
import type { ExportHealth } from '../common/telemetry';
import type { ServiceHealth } from '../common/alerts';

/** What the alerts side contributes to health (sources and a summary of the list). */
export interface AlertsHealth {
  summary: HealthState['alerts'];
  prometheus: ServiceHealth | null;
  alertmanager: ServiceHealth | null;
  error: string | null;
}

export interface HealthMonitorDeps {
  probeOllama: () => Promise<OllamaHealth>;
  exportHealth: () => ExportHealth;
  alerts?: () => AlertsHealth;
  /** The MCP servers the app is a client of (none when unset). */
  mcp?: () => McpServerHealth[];
  intervalMs: number;
  onChange: (state: HealthState) => void;
  clockIso?: () => string;
}

export interface HealthMonitor {
  /** A fresh probe (also published when it changed). */
  check(): Promise<HealthState>;
  current(): HealthState | null;
  stop(): void;
}

/**
 * Ollama down = down (no chat). Anything else failing = degraded: the telemetry export, an
 * alert source that cannot be read (an unreadable Prometheus is never "no alerts"), or an MCP
 * server that is down (the chat goes on without its tools).
 */
export function overallStatus(ollama: OllamaHealth, exporting: ExportHealth, alerts?: AlertsHealth, mcp: readonly McpServerHealth[] = []): HealthStatus {
  if (!ollama.reachable) return 'down';
  if (exporting.status === 'failing') return 'degraded';
  if (mcp.some((server) => server.state === 'failed')) return 'degraded';
  if (alerts && (alerts.error || alerts.prometheus?.reachable === false || alerts.alertmanager?.reachable === false)) return 'degraded';
  return 'ok';
}

/** Timestamps and counters move on every poll; a change worth publishing is a change of state. */
const comparable = (s: HealthState) =>
  JSON.stringify({ status: s.status, ollama: s.ollama, export: { status: s.export.status, lastError: s.export.lastError }, p: s.prometheus, a: s.alertmanager, alerts: s.alerts, mcp: s.mcp.map(({ retryAt: _retryAt, ...rest }) => rest) });

/** Polls the probes and publishes the health state when it changes (not on every poll). */
export function createHealthMonitor(deps: HealthMonitorDeps): HealthMonitor {
  const clockIso = deps.clockIso ?? (() => new Date().toISOString());
  let last: HealthState | null = null;
  let inFlight: Promise<HealthState> | null = null;

  const check = () => {
    // Concurrent callers share one probe instead of hammering Ollama.
    inFlight ??= deps
      .probeOllama()
      .then((ollama) => {
        const exporting = deps.exportHealth();
        const alerts = deps.alerts?.();
        const mcp = deps.mcp?.() ?? [];
        const state: HealthState = {
          status: overallStatus(ollama, exporting, alerts, mcp),
          checkedAt: clockIso(),
          ollama,
          export: exporting,
          prometheus: alerts?.prometheus ?? null,
          alertmanager: alerts?.alertmanager ?? null,
          alerts: alerts?.summary ?? { firing: 0, pending: 0, highestSeverity: null },
          mcp,
        };
        const changed = !last || comparable(last) !== comparable(state);
        last = state;
        if (changed) deps.onChange(state);
        return state;
      })
      .finally(() => (inFlight = null));
    return inFlight;
  };
  const timer = setInterval(() => void check(), deps.intervalMs);
  timer.unref?.();
  return { check, current: () => last, stop: () => clearInterval(timer) };
}
