import type { SpanRecord } from '../../common/telemetry';
import type { Tool } from '../tool';
import { failed, ok } from './compact-text';
import type { ToolDeps } from './deps';
import { apiUrl, getJson } from './http-json';
import { stringArg } from './tool-args';

interface FlatSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  service: string | null;
  startMs: number;
  durationMs: number;
  status: string;
  detail: string | null;
}

const maxSpans = 200;

/** The span tree, one span a line, children indented under their parent, in start order. */
export function formatSpanTree(spans: FlatSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, FlatSpan[]>();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : null;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  for (const list of children.values()) list.sort((a, b) => a.startMs - b.startMs);
  const t0 = Math.min(...spans.map((s) => s.startMs));
  const lines: string[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, depth: number) => {
    for (const s of children.get(parent) ?? []) {
      if (seen.has(s.spanId) || lines.length >= maxSpans) continue;
      seen.add(s.spanId);
      const extra = [s.service, s.status !== 'ok' && s.status !== 'unset' ? s.status : null, s.detail].filter(Boolean).join(', ');
      lines.push(`${'  '.repeat(depth)}${s.name}  +${(s.startMs - t0).toFixed(1)} ms  ${s.durationMs.toFixed(1)} ms${extra ? `  (${extra})` : ''}`);
      walk(s.spanId, depth + 1);
    }
  };
  walk(null, 0);
  const more = spans.length > lines.length ? `\n(${spans.length - lines.length} more spans not shown)` : '';
  return `${spans.length} spans\n${lines.join('\n')}${more}`;
}

const fromRecord = (s: SpanRecord): FlatSpan => ({
  spanId: s.spanId,
  parentSpanId: s.parentSpanId,
  name: s.name,
  service: null,
  startMs: s.startMs,
  durationMs: s.durationMs,
  status: s.status,
  detail: s.statusMessage,
});

/** Tempo answers OTLP JSON: `batches` (v1 /api/traces) or `trace.resourceSpans` (v2). */
function fromTempo(body: unknown): FlatSpan[] {
  const b = (body ?? {}) as { batches?: unknown[]; resourceSpans?: unknown[]; trace?: { resourceSpans?: unknown[] } };
  const batches = (b.batches ?? b.resourceSpans ?? b.trace?.resourceSpans ?? []) as Array<{
    resource?: { attributes?: Array<{ key?: string; value?: { stringValue?: string } }> };
    scopeSpans?: Array<{ spans?: unknown[] }>;
    instrumentationLibrarySpans?: Array<{ spans?: unknown[] }>;
  }>;
  const spans: FlatSpan[] = [];
  for (const batch of Array.isArray(batches) ? batches : []) {
    const service = batch.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ?? null;
    for (const scope of [...(batch.scopeSpans ?? []), ...(batch.instrumentationLibrarySpans ?? [])]) {
      for (const raw of scope.spans ?? []) {
        const s = raw as { spanId?: string; parentSpanId?: string; name?: string; startTimeUnixNano?: string | number; endTimeUnixNano?: string | number; status?: { code?: string | number; message?: string } };
        const start = Number(s.startTimeUnixNano ?? 0) / 1e6;
        const end = Number(s.endTimeUnixNano ?? 0) / 1e6;
        const code = String(s.status?.code ?? '');
        spans.push({
          spanId: String(s.spanId ?? ''),
          parentSpanId: s.parentSpanId ? String(s.parentSpanId) : null,
          name: String(s.name ?? '?'),
          service,
          startMs: start,
          durationMs: Math.max(0, end - start),
          status: code === '2' || code === 'STATUS_CODE_ERROR' ? 'error' : 'ok',
          detail: s.status?.message ?? null,
        });
      }
    }
  }
  return spans;
}

export function traceGetTool(deps: ToolDeps): Tool {
  return {
    name: 'trace_get',
    description: 'Show one trace as a tree of spans with durations and errors, by its 32-hex trace id: the app\'s own traces, or Tempo\'s when a Tempo URL is set.',
    parameters: { type: 'object', properties: { trace_id: { type: 'string', description: '32 hex characters' } }, required: ['trace_id'] },
    readOnly: true,
    source: 'builtin',
    unavailable: () => (deps.spans || deps.settings().tempoUrl ? null : 'no trace store: set BRUNO_TEMPO_URL'),
    async run(args, { signal }) {
      const id = stringArg(args, 'trace_id', { required: true, max: 100 });
      if (!id.ok) return failed(id.error);
      const traceId = id.value.toLowerCase();
      if (!/^[0-9a-f]{32}$/.test(traceId)) return failed(`'${id.value.slice(0, 40)}' is not a trace id (32 hex characters)`);
      // The app's own store first: it is local and holds the turns of this run.
      const local = deps.spans?.(traceId) ?? [];
      if (local.length > 0) return ok(formatSpanTree(local.map(fromRecord)));
      const tempo = deps.settings().tempoUrl;
      if (!tempo) return ok(`trace ${traceId} is not in the app's trace store (it keeps recent traces of this run only; set BRUNO_TEMPO_URL to read Tempo)`);
      const answer = await getJson(deps.get, 'Tempo', apiUrl(tempo, `/api/traces/${traceId}`), signal);
      if (!answer.ok) return failed(answer.error);
      const spans = fromTempo(answer.body);
      return spans.length ? ok(formatSpanTree(spans)) : ok(`Tempo has no spans for trace ${traceId}`);
    },
  };
}
