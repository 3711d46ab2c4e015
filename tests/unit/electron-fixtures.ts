/** Builders of core states for the Electron shell's unit tests (tray, notifier, feed). */
import { defaultTree } from '../../core/config';
import type { LinkSettings } from '../../electron/main/link-targets';
import type { AlertInfo, AlertSeverity, AlertsState } from '../../core/common/alerts';
import type { HealthState } from '../../core/common/health';
import type { TurnSample } from '../../core/common/telemetry';
import type { TurnStats } from '../../core/common/turn';

type HealthPatch = Omit<Partial<HealthState>, 'ollama' | 'export'> & {
  ollama?: Partial<HealthState['ollama']>;
  export?: Partial<HealthState['export']>;
};

export function health(patch: HealthPatch = {}): HealthState {
  const base: HealthState = {
    status: 'ok',
    checkedAt: '2025-01-01T00:00:00.000Z',
    ollama: { url: 'http://127.0.0.1:11434', reachable: true, version: '0.32.15', loadedModels: ['llama3.1:8b'], error: null },
    export: {
      status: 'ok',
      endpoint: 'http://127.0.0.1:4318',
      protocol: 'http/protobuf',
      lastSuccessAt: null,
      lastErrorAt: null,
      lastError: null,
      dropped: { traces: 0, metrics: 0, logs: 0 },
    },
    prometheus: null,
    alertmanager: null,
    alerts: { firing: 0, pending: 0, highestSeverity: null },
    mcp: [],
  };
  return { ...base, ...patch, ollama: { ...base.ollama, ...patch.ollama }, export: { ...base.export, ...patch.export } };
}

export const healthy = () => health();
export const exportFailing = () => health({ status: 'degraded', export: { status: 'failing', lastError: 'ECONNREFUSED' } });
export const ollamaDown = () =>
  health({ status: 'down', ollama: { reachable: false, version: null, loadedModels: [], error: 'connect ECONNREFUSED 127.0.0.1:11434' } });

export function alert(name: string, severity: AlertSeverity | null, patch: Partial<AlertInfo> = {}): AlertInfo {
  return {
    id: `${name}{severity="${severity}"}`,
    name,
    state: 'firing',
    severity,
    summary: `${name} summary`,
    description: null,
    labels: { alertname: name, ...(severity ? { severity } : {}) },
    annotations: {},
    activeSince: '2025-01-01T00:00:00.000Z',
    value: 1,
    source: 'prometheus',
    generatorUrl: `http://prometheus.lan:9090/graph?g0.expr=${encodeURIComponent(name)}`,
    ...patch,
  };
}

export function alerts(...list: AlertInfo[]): AlertsState {
  return { mode: 'remote', alerts: list, needsPrometheus: [], updatedAt: '2025-01-01T00:00:00.000Z', error: null };
}

export function sample(patch: Partial<TurnSample> = {}): TurnSample {
  return {
    turnId: 't1',
    model: 'llama3.1:8b',
    ttftS: 0.35,
    tokensPerSecond: 42.13,
    outputTokens: 100,
    elapsedS: 3,
    contextWindow: 8192,
    contextUsageRatio: 0.1,
    final: true,
    ...patch,
  };
}

export function stats(patch: Partial<TurnStats> = {}): TurnStats {
  return {
    model: 'llama3.1:8b',
    ttft_s: 0.4,
    tokens_per_second: 38.5,
    input_tokens: 50,
    output_tokens: 100,
    context_window: 8192,
    context_usage_ratio: 0.02,
    load_duration_s: 0,
    total_duration_s: 3,
    wall_duration_s: 3.1,
    done_reason: 'stop',
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    ...patch,
  };
}

type LinkPatch = Omit<Partial<LinkSettings>, 'grafana'> & { grafana?: Partial<LinkSettings['grafana']> };

/** The link part of the settings: the app's defaults (nothing configured), with `patch` over them. */
export function linkSettings(patch: LinkPatch = {}): LinkSettings {
  const defaults = defaultTree('/data') as unknown as LinkSettings;
  return {
    tempoUrl: defaults.tempoUrl,
    prometheusUrl: defaults.prometheusUrl,
    alertmanagerUrl: defaults.alertmanagerUrl,
    ...patch,
    grafana: { ...defaults.grafana, ...patch.grafana },
  };
}
