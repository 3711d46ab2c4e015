import type { AlertsState } from '../../common/alerts';
import type { SearchResult } from '../../common/knowledge';
import type { MemoryEntry } from '../../common/memory';
import type { SpanRecord } from '../../common/telemetry';
import type { Context } from '@opentelemetry/api';
import type { GetText } from './http-get';

/**
 * What the built-in tools read, passed in by the runtime. Read-only views only: no settings
 * editor, no ingest, no memory writes, so a tool's output (which the model may have been
 * steered by) can never change what the app does next.
 */
export interface BuiltinToolDeps {
  /**
   * Injected to fake or wrap the transport (tests). Without it the tools' GETs go over node:http on
   * keep-alive agents (http-get.ts), with fetch only for what node:http does not do as fetch does.
   */
  fetch?: typeof fetch;
  /** Read at each call, so a changed URL applies to the next call. */
  settings: () => { prometheusUrl: string | null; lokiUrl: string | null; tempoUrl: string | null };
  alerts?: { state(): AlertsState };
  /** The in-app span store (telemetry.spans). */
  spans?: (traceId: string) => SpanRecord[];
  knowledge?: { search(query: string, options: { k?: number; signal?: AbortSignal; parent?: Context }): Promise<SearchResult> };
  memory?: { listMemories(input: { query?: string }): Promise<MemoryEntry[]> };
  now?: () => number;
}

/** What the tools themselves get: the deps, with the GET that createBuiltinTools chose. */
export interface ToolDeps extends BuiltinToolDeps {
  get: GetText;
}

/** Why both Prometheus tools cannot run, or null: one message that says what to set. */
export function prometheusUnavailable(deps: BuiltinToolDeps): string | null {
  return deps.settings().prometheusUrl ? null : 'no Prometheus configured: set PROMETHEUS_URL (Settings, Prometheus URL)';
}
