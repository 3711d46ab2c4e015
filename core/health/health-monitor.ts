import type { HealthState, HealthStatus, OllamaHealth } from '../common/health';
import type { ExportHealth } from '../common/telemetry';

export interface HealthMonitorDeps {
  probeOllama: () => Promise<OllamaHealth>;
  exportHealth: () => ExportHealth;
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

/** Ollama down = down (no chat); anything else failing (telemetry export) = degraded. */
export function overallStatus(ollama: OllamaHealth, exporting: ExportHealth): HealthStatus {
  if (!ollama.reachable) return 'down';
  return exporting.status === 'failing' ? 'degraded' : 'ok';
}

/** Timestamps and counters move on every poll; a change worth publishing is a change of state. */
const comparable = (s: HealthState) =>
  JSON.stringify({ status: s.status, ollama: s.ollama, export: { status: s.export.status, lastError: s.export.lastError } });

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
        const state: HealthState = {
          status: overallStatus(ollama, exporting),
          checkedAt: clockIso(),
          ollama,
          export: exporting,
          prometheus: null,
          alertmanager: null,
          alerts: { firing: 0, pending: 0, highestSeverity: null },
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
