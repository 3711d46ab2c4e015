import type { HealthState, ModelInfo, TurnStats } from '../../core/common';

const seconds = (value: number) => (value < 10 ? `${value.toFixed(2)} s` : `${value.toFixed(1)} s`);

/** The parts of the stats line under a finished answer, in reading order. */
export function formatStats(stats: TurnStats): string[] {
  const parts: string[] = [];
  parts.push(`TTFT ${stats.ttft_s === null ? '–' : seconds(stats.ttft_s)}`);
  parts.push(`${stats.tokens_per_second === null ? '–' : stats.tokens_per_second.toFixed(1)} tok/s`);
  parts.push(`${stats.input_tokens} in / ${stats.output_tokens} out`);
  parts.push(seconds(stats.wall_duration_s));
  parts.push(`done: ${stats.done_reason ?? 'unknown'}`);
  if (stats.model) parts.push(stats.model);
  return parts;
}

export function formatModelOption(model: ModelInfo): string {
  const details = [model.parameterSize, model.quantization].filter(Boolean).join(' ');
  return `${model.name}${details ? ` (${details})` : ''}${model.loaded ? ' — loaded' : ''}`;
}

export function describeHealth(health: HealthState | null): { tone: 'ok' | 'down' | 'unknown'; label: string; title: string } {
  if (!health) return { tone: 'unknown', label: 'Ollama: checking…', title: 'No health check yet' };
  const { ollama } = health;
  if (!ollama.reachable) {
    return { tone: 'down', label: 'Ollama unreachable', title: ollama.error ?? `Cannot reach ${ollama.url}` };
  }
  const loaded = ollama.loadedModels.length ? `; loaded: ${ollama.loadedModels.join(', ')}` : '';
  return {
    tone: 'ok',
    label: `Ollama ${ollama.version ?? ''}`.trim(),
    title: `${ollama.url} reachable${loaded} (checked ${health.checkedAt})`,
  };
}
