import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanRecord } from '../common/telemetry';

const kinds: SpanRecord['kind'][] = ['internal', 'server', 'client', 'producer', 'consumer'];
const statuses: SpanRecord['status'][] = ['unset', 'ok', 'error'];
const hrToMs = ([s, ns]: [number, number]) => s * 1000 + ns / 1e6;

export function toSpanRecord(span: ReadableSpan): SpanRecord {
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? null,
    name: span.name,
    kind: kinds[span.kind] ?? 'internal',
    startMs: hrToMs(span.startTime),
    durationMs: hrToMs(span.duration),
    status: statuses[span.status.code] ?? 'unset',
    statusMessage: span.status.message ?? null,
    attributes: { ...span.attributes } as SpanRecord['attributes'],
    events: span.events.map((e) => ({ name: e.name, timeMs: hrToMs(e.time), attributes: { ...(e.attributes ?? {}) } })),
  };
}

/**
 * Keeps the spans of the last `maxTraces` traces in memory so the UI can draw a turn's trace
 * without Tempo. Bounded: the oldest trace is evicted first, and a runaway trace is capped.
 * An ended span does not change, so it is kept as it is and turned into a record only when its
 * trace is asked for: ending a span (on every turn) stays cheap, reading a trace (now and then)
 * pays for the copy.
 */
export class SpanBuffer implements SpanProcessor {
  private readonly traces = new Map<string, ReadableSpan[]>();

  constructor(
    private readonly maxTraces = 50,
    private readonly maxSpansPerTrace = 500,
  ) {}

  onStart(_span: Span, _context: Context): void {}

  onEnd(span: ReadableSpan): void {
    const traceId = span.spanContext().traceId;
    let spans = this.traces.get(traceId);
    if (!spans) {
      spans = [];
      this.traces.set(traceId, spans);
      while (this.traces.size > this.maxTraces) this.traces.delete(this.traces.keys().next().value as string);
    }
    if (spans.length < this.maxSpansPerTrace) spans.push(span);
  }

  /** Spans of one trace by start time; a parent before its children even when they start in the same instant. */
  get(traceId: string): SpanRecord[] {
    const spans = (this.traces.get(traceId) ?? []).map(toSpanRecord);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const depth = (span: SpanRecord): number => {
      let d = 0;
      for (let p = span.parentSpanId; p && byId.has(p) && d < spans.length; p = byId.get(p)!.parentSpanId) d++;
      return d;
    };
    return spans.sort((a, b) => a.startMs - b.startMs || depth(a) - depth(b));
  }

  traceIds(): string[] {
    return [...this.traces.keys()];
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.traces.clear();
    return Promise.resolve();
  }
}
