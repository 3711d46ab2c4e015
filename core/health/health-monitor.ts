import type { HealthState, HealthStatus, OllamaHealth } from '../common/health';

export interface HealthMonitorDeps {
  probeOllama: () => Promise<OllamaHealth>;
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

function overall(ollama: OllamaHealth): HealthStatus {
  return ollama.reachable ? 'ok' : 'down';
}

const comparable = (s: HealthState) => JSON.stringify({ ...s, checkedAt: undefined });

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
        const state: HealthState = { status: overall(ollama), checkedAt: clockIso(), ollama };
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
