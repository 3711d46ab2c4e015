import { useMemo, useState } from 'react';
import type { SpanRecord } from '../../../../core/common';
import { spanAttributes as A } from '../../../../core/common/metric-names';
import { useApp, useActions } from '../../shared/context';
import { formatMs } from '../../shared/format';
import { selectTrace } from './selectors';

/** Attributes worth a glance in the row; all of them are one click away. */
const KEY_ATTRIBUTES = [
  A.requestModel,
  A.inputTokens,
  A.outputTokens,
  A.timeToFirstChunk,
  A.ollamaTokensPerSecond,
  A.finishReasons,
  A.contextUsageRatio,
  A.embeddingDimensions,
  A.errorType,
  'rag.hits',
  'rag.mode',
  A.toolType,
  A.toolSource,
  A.toolTruncated,
];

/**
 * What a span stands for in a turn, so the waterfall tells model rounds and tool calls apart at a
 * glance: `chat <model>` (one per model request) and `execute_tool <name>` (GenAI conventions).
 */
export type SpanRole = 'model' | 'tool' | 'other';

export function spanRole(span: Pick<SpanRecord, 'attributes'>): SpanRole {
  const operation = span.attributes[A.operationName];
  if (operation === 'execute_tool') return 'tool';
  if (operation === 'chat') return 'model';
  return 'other';
}

const roleLabel: Record<SpanRole, string | null> = { model: 'model', tool: 'tool', other: null };

interface Row {
  span: SpanRecord;
  depth: number;
}

/** Parents before children, siblings by start time; orphans (parent evicted) become roots. */
export function orderSpans(spans: SpanRecord[]): Row[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, SpanRecord[]>();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : null;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent)!.push(s);
  }
  for (const list of children.values()) list.sort((a, b) => a.startMs - b.startMs);
  const rows: Row[] = [];
  const visit = (parent: string | null, depth: number) => {
    for (const s of children.get(parent) ?? []) {
      rows.push({ span: s, depth });
      if (depth < 30) visit(s.spanId, depth + 1);
    }
  };
  visit(null, 0);
  return rows;
}

/** The waterfall of one turn's spans from the in-process buffer (no Tempo needed). */
export function TraceView() {
  const trace = useApp(selectTrace);
  const controller = useActions();
  const [input, setInput] = useState('');
  const rows = useMemo(() => orderSpans(trace.spans), [trace.spans]);
  const t0 = rows.length ? Math.min(...rows.map((r) => r.span.startMs)) : 0;
  const t1 = rows.length ? Math.max(...rows.map((r) => r.span.startMs + r.span.durationMs)) : 1;
  const total = Math.max(t1 - t0, 0.001);
  const grafana = trace.traceId ? controller.traceLink(trace.traceId) : null;
  return (
    <section className="card trace" aria-label="Trace" data-testid="trace-view">
      <header className="card-header">
        <h2>Trace</h2>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const id = input.trim().toLowerCase();
            if (/^[0-9a-f]{32}$/.test(id)) void controller.openTraceInApp(id);
          }}
        >
          <input className="input mono" aria-label="Trace id" placeholder="32-hex trace id" value={input} onChange={(e) => setInput(e.target.value)} />
          <button type="submit" className="button button-small">
            Show
          </button>
        </form>
      </header>
      {trace.traceId === null && <p className="muted">Pick "Trace" under an answer to see its spans.</p>}
      {trace.traceId && (
        <p className="muted">
          <code data-testid="trace-id">{trace.traceId}</code>
          {grafana && (
            <>
              {' · '}
              <a href={grafana} target="_blank" rel="noopener noreferrer">
                Open in Grafana ↗
              </a>
            </>
          )}
        </p>
      )}
      {trace.status === 'loading' && <p className="muted">Loading spans…</p>}
      {trace.status === 'error' && (
        <p className="field-error" role="alert">
          {trace.error}
        </p>
      )}
      {trace.status === 'ready' && rows.length === 0 && <p className="muted">No spans: this trace is no longer in the in-process buffer.</p>}
      {rows.length > 0 && (
        <ol className="waterfall" data-testid="waterfall">
          {rows.map(({ span, depth }) => (
            <SpanRow key={span.spanId} span={span} depth={depth} left={((span.startMs - t0) / total) * 100} width={(span.durationMs / total) * 100} />
          ))}
        </ol>
      )}
    </section>
  );
}

function SpanRow({ span, depth, left, width }: { span: SpanRecord; depth: number; left: number; width: number }) {
  const keys = KEY_ATTRIBUTES.filter((k) => span.attributes[k] !== undefined);
  const role = spanRole(span);
  const label = roleLabel[role];
  return (
    <li className={`span-row span-${span.status} span-role-${role}`} data-testid="span-row" data-name={span.name} data-role={role}>
      <details>
        <summary className="span-summary">
          <span className="span-name" style={{ paddingLeft: `${depth * 14}px` }} title={span.name}>
            {label && <span className={`span-tag span-tag-${role}`}>{label}</span>}
            {span.name}
          </span>
          <span className="span-bar-track" aria-hidden="true">
            <span className="span-bar" style={{ left: `${left.toFixed(2)}%`, width: `${Math.max(0.4, width).toFixed(2)}%` }} />
          </span>
          <span className="span-duration" data-testid="span-duration">
            {formatMs(span.durationMs)}
          </span>
        </summary>
        <dl className="span-attrs">
          {span.statusMessage && (
            <>
              <dt>status</dt>
              <dd>{span.statusMessage}</dd>
            </>
          )}
          {Object.entries(span.attributes).map(([k, v]) => (
            <AttrRow key={k} name={k} value={v} />
          ))}
          {span.events.map((e, i) => (
            <AttrRow key={`event-${i}`} name={`event: ${e.name}`} value={new Date(e.timeMs).toISOString()} />
          ))}
        </dl>
      </details>
      {keys.length > 0 && (
        <div className="span-keys muted">
          {keys.map((k) => (
            <span key={k} className="span-key">
              {k.replace(/^gen_ai\.|^bruno\.|^ollama\./, '')}={formatValue(span.attributes[k])}
            </span>
          ))}
        </div>
      )}
    </li>
  );
}

function AttrRow({ name, value }: { name: string; value: unknown }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{formatValue(value)}</dd>
    </>
  );
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(3);
  const s = String(value);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}
