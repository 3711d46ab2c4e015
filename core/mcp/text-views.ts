/**
 * What Bruno's MCP tools answer: compact text that an editor's model reads (the same habit as
 * the built-in tools: a list, not raw JSON), from the contract's own result types.
 */
import type { AlertsState } from '../common/alerts';
import type { HealthState } from '../common/health';
import type { IngestProgress, KbSource, SearchResult } from '../common/knowledge';
import type { MemoryEntry } from '../common/memory';
import type { MessageSource } from '../common/turn';

export function answerText(answer: string, sources: readonly MessageSource[]): string {
  if (!sources.length) return answer;
  return `${answer}\n\nSources:\n${sources.map((s) => `[${s.n}] ${s.path}${s.heading ? ` › ${s.heading}` : ''}`).join('\n')}`;
}

export function searchText(result: SearchResult): string {
  if (!result.hits.length) return `No results for "${result.query}" in the knowledge base.`;
  return result.hits.map((hit, i) => `[${i + 1}] ${hit.path}${hit.heading ? ` › ${hit.heading}` : ''} (score ${hit.score.toFixed(3)})\n${hit.snippet}`).join('\n\n');
}

export function ingestStatusText(sources: readonly KbSource[], jobs: readonly IngestProgress[]): string {
  const lines = sources.length
    ? sources.map((s) => `${s.root}: ${s.files} files, ${s.chunks} chunks${s.skipped ? `, ${s.skipped} skipped` : ''}, last ingested ${s.lastIngestAt ?? 'never'}`)
    : ['The knowledge base has no sources yet.'];
  for (const job of jobs) lines.push(`Running job ${job.jobId}: ${job.phase}, ${job.filesDone}/${job.filesTotal} files, ${job.chunksDone} chunks${job.etaSeconds !== null ? `, about ${Math.round(job.etaSeconds)} s left` : ''}`);
  return lines.join('\n');
}

export function memoryText(entries: readonly MemoryEntry[]): string {
  if (!entries.length) return 'Nothing remembered matches.';
  return entries.map((e) => `- (${e.type === 'semantic' ? 'fact' : 'instruction'}${e.score !== null ? `, ${e.score.toFixed(2)}` : ''}) ${e.text} [${e.id}]`).join('\n');
}

export function alertsText(state: AlertsState): string {
  const header = state.error ? `Alerts may be incomplete: ${state.error}` : null;
  const lines = state.alerts.map((a) => {
    const labels = Object.entries(a.labels)
      .filter(([k]) => k !== 'alertname' && k !== 'severity')
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    return `- ${a.state.toUpperCase()} ${a.severity ?? 'unknown'} ${a.name}${labels ? ` {${labels}}` : ''}${a.summary ? `: ${a.summary}` : ''}${a.activeSince ? ` (since ${a.activeSince})` : ''}`;
  });
  return [header, lines.length ? lines.join('\n') : `No active alerts (${state.mode === 'local' ? 'evaluated in the app' : 'from Prometheus/Alertmanager'}).`].filter(Boolean).join('\n');
}

export function healthText(h: HealthState): string {
  const service = (name: string, s: HealthState['prometheus']) => (s ? `${name}: ${s.reachable ? 'up' : `down (${s.error ?? 'unreachable'})`}` : `${name}: not configured`);
  return [
    `Overall: ${h.status} (checked ${h.checkedAt})`,
    `Ollama ${h.ollama.url}: ${h.ollama.reachable ? `up, version ${h.ollama.version ?? '?'}, loaded: ${h.ollama.loadedModels.join(', ') || 'none'}` : `down (${h.ollama.error ?? 'unreachable'})`}`,
    `Telemetry export: ${h.export.status}${h.export.lastError ? ` (last error: ${h.export.lastError})` : ''}`,
    service('Prometheus', h.prometheus),
    service('Alertmanager', h.alertmanager),
    `Alerts: ${h.alerts.firing} firing, ${h.alerts.pending} pending${h.alerts.highestSeverity ? `, highest ${h.alerts.highestSeverity}` : ''}`,
    ...h.mcp.map((m) => `MCP server ${m.name} (${m.transport}): ${m.state}, ${m.tools} tools${m.lastError && m.state !== 'connected' ? ` (${m.lastError})` : ''}`),
  ].join('\n');
}
