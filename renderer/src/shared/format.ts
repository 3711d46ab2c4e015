import type { HealthState, ModelInfo, TurnStats } from '../../../core/common';

const seconds = (value: number) => (value < 10 ? `${value.toFixed(2)} s` : `${value.toFixed(1)} s`);

export interface StatPart {
  /** Stable key (also `data-stat` in the page, which e2e tests read). */
  key: 'rounds' | 'tools' | 'ttft' | 'tps' | 'tokens' | 'context' | 'duration' | 'done' | 'model';
  text: string;
  /** The raw number(s) behind the text, for tests and tooltips. */
  value: string;
  title: string;
}

/** The parts of the stats line under a finished answer, in reading order. */
export function statParts(stats: TurnStats): StatPart[] {
  const parts: StatPart[] = [];
  // A turn that used tools: how many model requests it took and the time tools ran, apart from
  // generation (tok/s and TTFT stay the model's own numbers). A turn without tools shows neither.
  const rounds = stats.model_rounds ?? 1;
  const toolCalls = stats.tool_calls ?? 0;
  if (rounds > 1 || toolCalls > 0) {
    parts.push({ key: 'rounds', text: countOf(rounds, 'model round'), value: String(rounds), title: 'Model requests in this answer (each round of tool calls adds one)' });
    const toolMs = Math.max(0, (stats.tool_duration_s ?? 0) * 1000);
    parts.push({
      key: 'tools',
      text: `tools ${toolMs === 0 ? '0 ms' : formatMs(toolMs)}`,
      value: String(toolMs),
      title: `${countOf(toolCalls, 'tool call')}; time spent running tools, not generating (waiting for Run / Deny not counted)`,
    });
  }
  parts.push({ key: 'ttft', text: `TTFT ${stats.ttft_s === null ? '–' : seconds(stats.ttft_s)}`, value: String(stats.ttft_s), title: 'Time to first token' });
  parts.push({
    key: 'tps',
    text: `${stats.tokens_per_second === null ? '–' : stats.tokens_per_second.toFixed(1)} tok/s`,
    value: String(stats.tokens_per_second),
    title: 'Output tokens per second (eval_count / eval_duration)',
  });
  parts.push({ key: 'tokens', text: `${stats.input_tokens} in / ${stats.output_tokens} out`, value: `${stats.input_tokens}/${stats.output_tokens}`, title: 'Input / output tokens' });
  if (stats.context_usage_ratio !== null && stats.context_usage_ratio !== undefined) {
    parts.push({
      key: 'context',
      text: `context ${formatPercent(stats.context_usage_ratio)}${stats.context_window ? ` of ${stats.context_window.toLocaleString('en-US')}` : ''}`,
      value: String(stats.context_usage_ratio),
      title: 'Share of the context window this turn used',
    });
  }
  parts.push({ key: 'duration', text: seconds(stats.wall_duration_s), value: String(stats.wall_duration_s), title: 'Wall time of the whole turn' });
  parts.push({ key: 'done', text: `done: ${stats.done_reason ?? 'unknown'}`, value: String(stats.done_reason), title: 'Why the model stopped' });
  if (stats.model) parts.push({ key: 'model', text: stats.model, value: stats.model, title: 'Model' });
  return parts;
}

export function formatStats(stats: TurnStats): string[] {
  return statParts(stats).map((p) => p.text);
}

/** 0.0123 -> "1.2%"; tiny non-zero shares keep one significant digit. */
export function formatPercent(ratio: number): string {
  const pct = ratio * 100;
  if (pct > 0 && pct < 0.1) return `${pct.toPrecision(1)}%`;
  return `${pct < 10 ? pct.toFixed(1) : pct.toFixed(0)}%`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  return seconds(ms / 1000);
}

/** "3 min ago" style, from an ISO time; `now` for tests. */
export function formatSince(iso: string | null, now = Date.now()): string {
  if (!iso) return '–';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** "1 fact", "2 facts": a count with its noun. */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export function formatModelOption(model: ModelInfo): string {
  const details = [model.parameterSize, model.quantization].filter(Boolean).join(' ');
  const loadedDetails = model.loaded
    ? [model.contextLength ? `ctx ${model.contextLength.toLocaleString('en-US')}` : null, model.sizeVramBytes ? `${formatBytes(model.sizeVramBytes)} VRAM` : null].filter(Boolean)
    : [];
  const inside = [details, model.isDefault ? 'default' : null, ...loadedDetails].filter(Boolean).join(', ');
  return `${model.name}${inside ? ` (${inside})` : ''}${model.loaded ? ' — loaded' : ''}`;
}

/** The picker's first option: the configured default, by name and whether it is loaded. */
export function formatDefaultOption(model: ModelInfo | undefined): string {
  if (!model) return 'Default model';
  return `Default (${model.name})${model.loaded ? ' — loaded' : ''}`;
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

export type Tone = 'ok' | 'warn' | 'down' | 'off' | 'unknown';

/** The strip's pills beside Ollama: OTLP export, Prometheus, Alertmanager, alerts. */
export function describeServices(health: HealthState | null): { key: string; label: string; tone: Tone; title: string }[] {
  if (!health) return [];
  const ex = health.export;
  const dropped = ex.dropped.traces + ex.dropped.metrics + ex.dropped.logs;
  const exportTone: Tone = ex.status === 'ok' ? 'ok' : ex.status === 'off' ? 'off' : ex.status === 'paused' ? 'warn' : 'down';
  const exportTitle = [
    ex.endpoint ? `${ex.endpoint} (${ex.protocol ?? ''})` : 'No OTLP endpoint set',
    ex.lastSuccessAt ? `last success ${ex.lastSuccessAt}` : null,
    ex.lastError ? `last error: ${ex.lastError}` : null,
    dropped ? `dropped: ${ex.dropped.traces} spans, ${ex.dropped.metrics} metric batches, ${ex.dropped.logs} logs` : null,
  ]
    .filter(Boolean)
    .join('\n');
  const service = (key: string, name: string, s: HealthState['prometheus']) =>
    s === null
      ? { key, label: `${name}: not set`, tone: 'off' as Tone, title: `${name} is not configured (alerts are evaluated in-process)` }
      : { key, label: `${name} ${s.reachable ? 'up' : 'down'}`, tone: (s.reachable ? 'ok' : 'down') as Tone, title: s.error ?? s.url };
  const { firing, pending, highestSeverity } = health.alerts;
  // One pill for all MCP servers (only when some are configured): how many are connected.
  const mcp = health.mcp ?? [];
  const enabled = mcp.filter((m) => m.state !== 'disabled');
  const mcpUp = enabled.filter((m) => m.state === 'connected').length;
  const mcpPill = enabled.length
    ? [
        {
          key: 'mcp',
          label: `MCP ${mcpUp}/${enabled.length}`,
          tone: (mcpUp === enabled.length ? 'ok' : enabled.some((m) => m.state === 'failed') ? 'down' : 'warn') as Tone,
          title: mcp.map((m) => `${m.name} (${m.transport}): ${m.state}, ${m.tools} tools${m.lastError && m.state !== 'connected' ? ` - ${m.lastError}` : ''}`).join('\n'),
        },
      ]
    : [];
  return [
    { key: 'export', label: `OTLP ${ex.status}${dropped ? ` (${dropped} dropped)` : ''}`, tone: exportTone, title: exportTitle },
    service('prometheus', 'Prometheus', health.prometheus),
    service('alertmanager', 'Alertmanager', health.alertmanager),
    {
      key: 'alerts',
      label: firing ? `${firing} firing` : pending ? `${pending} pending` : 'No alerts',
      tone: firing ? 'down' : pending ? 'warn' : 'ok',
      title: highestSeverity ? `Highest severity: ${highestSeverity}` : 'No active alerts',
    },
    ...mcpPill,
  ];
}
