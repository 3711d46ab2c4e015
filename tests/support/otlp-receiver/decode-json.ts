import * as S from './otlp-schema';
import { toNumberIfSafe } from './protobuf-wire';
import type { AttributeValue, Attributes, DecodedDataPoint, DecodedExemplar, DecodedLogRecord, DecodedMetric, DecodedScope, DecodedSpan, DecodedSpanLink, Temporality } from './decoded-types';

// ---------------------------------------------------------------------------------------------
// OTLP/JSON (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): lowerCamelCase
// keys (snake_case accepted too), trace/span ids as hex, enums as integers (names accepted),
// 64-bit integers as decimal strings or numbers, other bytes as base64.
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

export class OtlpJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpJsonError';
  }
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function snake(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function jget(o: Json, key: string): unknown {
  if (key in o) return o[key];
  const s = snake(key);
  return s in o ? o[s] : undefined;
}

function jobj(o: Json, key: string): Json | undefined {
  const v = jget(o, key);
  return isObj(v) ? v : undefined;
}

function jarr(o: Json, key: string): Json[] {
  const v = jget(o, key);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new OtlpJsonError(`${key}: expected an array`);
  return v.filter(isObj);
}

function jstr(o: Json, key: string): string | undefined {
  const v = jget(o, key);
  return typeof v === 'string' ? v : undefined;
}

function jbig(o: Json, key: string): bigint | undefined {
  const v = jget(o, key);
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v));
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return BigInt(v.trim());
  return undefined;
}

function jnum(o: Json, key: string): number | undefined {
  const v = jget(o, key);
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    const n = Number(v);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

function jenum(o: Json, key: string, names: readonly string[], prefix: string): number | undefined {
  const v = jget(o, key);
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const idx = names.indexOf(v.replace(prefix, '').toLowerCase());
    if (idx >= 0) return idx;
    const n = Number(v);
    return Number.isInteger(n) ? n : undefined;
  }
  return undefined;
}

function jid(o: Json, key: string): string | undefined {
  const v = jstr(o, key);
  return v ? v.toLowerCase() : undefined;
}

function jAnyValue(v: Json): AttributeValue {
  if ('stringValue' in v || 'string_value' in v) return jstr(v, 'stringValue') ?? '';
  if ('boolValue' in v || 'bool_value' in v) return jget(v, 'boolValue') === true;
  if ('intValue' in v || 'int_value' in v) return toNumberIfSafe(jbig(v, 'intValue') ?? 0n);
  if ('doubleValue' in v || 'double_value' in v) return jnum(v, 'doubleValue') ?? 0;
  if ('arrayValue' in v || 'array_value' in v) return jarr(jobj(v, 'arrayValue') ?? {}, 'values').map(jAnyValue);
  if ('kvlistValue' in v || 'kvlist_value' in v) return jAttributes(jarr(jobj(v, 'kvlistValue') ?? {}, 'values'));
  if ('bytesValue' in v || 'bytes_value' in v) return Uint8Array.from(Buffer.from(jstr(v, 'bytesValue') ?? '', 'base64'));
  return null;
}

function jAttributes(list: Json[]): Attributes {
  const out: Attributes = {};
  for (const kv of list) {
    const value = jobj(kv, 'value');
    out[jstr(kv, 'key') ?? ''] = value ? jAnyValue(value) : null;
  }
  return out;
}

function jScope(o: Json | undefined): DecodedScope {
  if (!o) return { name: '', attributes: {} };
  const scope: DecodedScope = { name: jstr(o, 'name') ?? '', attributes: jAttributes(jarr(o, 'attributes')) };
  const version = jstr(o, 'version');
  if (version) scope.version = version;
  return scope;
}

function jResource(o: Json | undefined): Attributes {
  return o ? jAttributes(jarr(o, 'attributes')) : {};
}

function jRoot(body: unknown, key: string): Json[] {
  if (!isObj(body)) throw new OtlpJsonError('request body is not a JSON object');
  return jarr(body, key);
}

export function decodeTraceJson(body: unknown): DecodedSpan[] {
  const out: DecodedSpan[] = [];
  for (const rs of jRoot(body, 'resourceSpans')) {
    const resource = jResource(jobj(rs, 'resource'));
    for (const ss of jarr(rs, 'scopeSpans')) {
      const scope = jScope(jobj(ss, 'scope'));
      for (const s of jarr(ss, 'spans')) {
        const start = jbig(s, 'startTimeUnixNano') ?? 0n;
        const end = jbig(s, 'endTimeUnixNano') ?? 0n;
        const kind = jenum(s, 'kind', S.SpanKindNames, 'SPAN_KIND_') ?? 0;
        const st = jobj(s, 'status') ?? {};
        const code = jenum(st, 'code', S.StatusCodeNames, 'STATUS_CODE_') ?? 0;
        const span: DecodedSpan = {
          traceId: jid(s, 'traceId') ?? '',
          spanId: jid(s, 'spanId') ?? '',
          name: jstr(s, 'name') ?? '',
          kind,
          kindName: S.SpanKindNames[kind] ?? 'unspecified',
          startTimeUnixNano: start,
          endTimeUnixNano: end,
          durationMs: Number(end - start) / 1e6,
          attributes: jAttributes(jarr(s, 'attributes')),
          droppedAttributesCount: jnum(s, 'droppedAttributesCount') ?? 0,
          events: jarr(s, 'events').map((e) => ({
            name: jstr(e, 'name') ?? '',
            timeUnixNano: jbig(e, 'timeUnixNano') ?? 0n,
            attributes: jAttributes(jarr(e, 'attributes')),
            droppedAttributesCount: jnum(e, 'droppedAttributesCount') ?? 0,
          })),
          droppedEventsCount: jnum(s, 'droppedEventsCount') ?? 0,
          links: jarr(s, 'links').map((l) => {
            const link: DecodedSpanLink = {
              traceId: jid(l, 'traceId') ?? '',
              spanId: jid(l, 'spanId') ?? '',
              attributes: jAttributes(jarr(l, 'attributes')),
              droppedAttributesCount: jnum(l, 'droppedAttributesCount') ?? 0,
              flags: jnum(l, 'flags') ?? 0,
            };
            const ts = jstr(l, 'traceState');
            if (ts) link.traceState = ts;
            return link;
          }),
          droppedLinksCount: jnum(s, 'droppedLinksCount') ?? 0,
          status: { code, codeName: S.StatusCodeNames[code] ?? 'unset', message: jstr(st, 'message') ?? '' },
          flags: jnum(s, 'flags') ?? 0,
          resource,
          scope,
        };
        const parent = jid(s, 'parentSpanId');
        if (parent) span.parentSpanId = parent;
        const traceState = jstr(s, 'traceState');
        if (traceState) span.traceState = traceState;
        out.push(span);
      }
    }
  }
  return out;
}

function jExemplar(e: Json): DecodedExemplar {
  const asInt = jbig(e, 'asInt');
  const ex: DecodedExemplar = {
    timeUnixNano: jbig(e, 'timeUnixNano') ?? 0n,
    value: asInt !== undefined ? Number(asInt) : (jnum(e, 'asDouble') ?? 0),
    filteredAttributes: jAttributes(jarr(e, 'filteredAttributes')),
  };
  const traceId = jid(e, 'traceId');
  const spanId = jid(e, 'spanId');
  if (traceId) ex.traceId = traceId;
  if (spanId) ex.spanId = spanId;
  return ex;
}

function jPointBase(p: Json): DecodedDataPoint {
  return {
    attributes: jAttributes(jarr(p, 'attributes')),
    startTimeUnixNano: jbig(p, 'startTimeUnixNano') ?? 0n,
    timeUnixNano: jbig(p, 'timeUnixNano') ?? 0n,
    flags: jnum(p, 'flags') ?? 0,
    exemplars: jarr(p, 'exemplars').map(jExemplar),
  };
}

function jOptional(p: Json, dp: DecodedDataPoint, key: 'sum' | 'min' | 'max'): void {
  const v = jnum(p, key);
  if (v !== undefined) dp[key] = v;
}

function jNumbers(o: Json, key: string): number[] {
  const v = jget(o, key);
  if (!Array.isArray(v)) return [];
  return v.map((x) => (typeof x === 'number' ? x : Number(x)));
}

function jNumberPoint(p: Json): DecodedDataPoint {
  const dp = jPointBase(p);
  const asInt = jbig(p, 'asInt');
  dp.value = asInt !== undefined ? Number(asInt) : (jnum(p, 'asDouble') ?? 0);
  dp.valueType = asInt !== undefined ? 'int' : 'double';
  return dp;
}

function jHistogramPoint(p: Json): DecodedDataPoint {
  const dp = jPointBase(p);
  dp.count = Number(jbig(p, 'count') ?? 0n);
  dp.bucketCounts = jNumbers(p, 'bucketCounts');
  dp.explicitBounds = jNumbers(p, 'explicitBounds');
  jOptional(p, dp, 'sum');
  jOptional(p, dp, 'min');
  jOptional(p, dp, 'max');
  return dp;
}

function jExpBuckets(b: Json | undefined): { offset: number; bucketCounts: number[] } {
  return b ? { offset: jnum(b, 'offset') ?? 0, bucketCounts: jNumbers(b, 'bucketCounts') } : { offset: 0, bucketCounts: [] };
}

function jExpHistogramPoint(p: Json): DecodedDataPoint {
  const dp = jPointBase(p);
  dp.count = Number(jbig(p, 'count') ?? 0n);
  dp.scale = jnum(p, 'scale') ?? 0;
  dp.zeroCount = Number(jbig(p, 'zeroCount') ?? 0n);
  dp.zeroThreshold = jnum(p, 'zeroThreshold') ?? 0;
  dp.positive = jExpBuckets(jobj(p, 'positive'));
  dp.negative = jExpBuckets(jobj(p, 'negative'));
  jOptional(p, dp, 'sum');
  jOptional(p, dp, 'min');
  jOptional(p, dp, 'max');
  return dp;
}

function jSummaryPoint(p: Json): DecodedDataPoint {
  const dp = jPointBase(p);
  dp.count = Number(jbig(p, 'count') ?? 0n);
  dp.sum = jnum(p, 'sum') ?? 0;
  dp.quantiles = jarr(p, 'quantileValues').map((q) => ({ quantile: jnum(q, 'quantile') ?? 0, value: jnum(q, 'value') ?? 0 }));
  return dp;
}

function jTemporality(o: Json): Temporality {
  const v = jenum(o, 'aggregationTemporality', S.AggregationTemporalityNames, 'AGGREGATION_TEMPORALITY_');
  return S.AggregationTemporalityNames[v ?? 0] ?? 'unspecified';
}

export function decodeMetricsJson(body: unknown): DecodedMetric[] {
  const out: DecodedMetric[] = [];
  for (const rm of jRoot(body, 'resourceMetrics')) {
    const resource = jResource(jobj(rm, 'resource'));
    for (const sm of jarr(rm, 'scopeMetrics')) {
      const scope = jScope(jobj(sm, 'scope'));
      for (const m of jarr(sm, 'metrics')) {
        const metric: DecodedMetric = {
          name: jstr(m, 'name') ?? '',
          description: jstr(m, 'description') ?? '',
          unit: jstr(m, 'unit') ?? '',
          type: 'unknown',
          dataPoints: [],
          resource,
          scope,
        };
        let d: Json | undefined;
        if ((d = jobj(m, 'sum'))) {
          metric.type = 'sum';
          metric.dataPoints = jarr(d, 'dataPoints').map(jNumberPoint);
          metric.temporality = jTemporality(d);
          metric.isMonotonic = jget(d, 'isMonotonic') === true;
        } else if ((d = jobj(m, 'gauge'))) {
          metric.type = 'gauge';
          metric.dataPoints = jarr(d, 'dataPoints').map(jNumberPoint);
        } else if ((d = jobj(m, 'histogram'))) {
          metric.type = 'histogram';
          metric.dataPoints = jarr(d, 'dataPoints').map(jHistogramPoint);
          metric.temporality = jTemporality(d);
        } else if ((d = jobj(m, 'exponentialHistogram'))) {
          metric.type = 'exponentialHistogram';
          metric.dataPoints = jarr(d, 'dataPoints').map(jExpHistogramPoint);
          metric.temporality = jTemporality(d);
        } else if ((d = jobj(m, 'summary'))) {
          metric.type = 'summary';
          metric.dataPoints = jarr(d, 'dataPoints').map(jSummaryPoint);
        }
        out.push(metric);
      }
    }
  }
  return out;
}

const SEVERITY_BASES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/** severityNumber as an integer or a name such as "SEVERITY_NUMBER_INFO" / "SEVERITY_NUMBER_WARN2". */
function jSeverity(r: Json): number {
  const v = jget(r, 'severityNumber');
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return 0;
  const m = /^(?:SEVERITY_NUMBER_)?([A-Z]+)([234])?$/.exec(v.toUpperCase());
  if (m) {
    const base = SEVERITY_BASES.indexOf(m[1]!);
    if (base >= 0) return base * 4 + 1 + (m[2] ? Number(m[2]) - 1 : 0);
  }
  const n = Number(v);
  return Number.isInteger(n) ? n : 0;
}

export function decodeLogsJson(body: unknown): DecodedLogRecord[] {
  const out: DecodedLogRecord[] = [];
  for (const rl of jRoot(body, 'resourceLogs')) {
    const resource = jResource(jobj(rl, 'resource'));
    for (const sl of jarr(rl, 'scopeLogs')) {
      const scope = jScope(jobj(sl, 'scope'));
      for (const r of jarr(sl, 'logRecords')) {
        const body = jobj(r, 'body');
        const rec: DecodedLogRecord = {
          timeUnixNano: jbig(r, 'timeUnixNano') ?? 0n,
          observedTimeUnixNano: jbig(r, 'observedTimeUnixNano') ?? 0n,
          severityNumber: jSeverity(r),
          severityText: jstr(r, 'severityText') ?? '',
          body: body ? jAnyValue(body) : undefined,
          attributes: jAttributes(jarr(r, 'attributes')),
          droppedAttributesCount: jnum(r, 'droppedAttributesCount') ?? 0,
          flags: jnum(r, 'flags') ?? 0,
          resource,
          scope,
        };
        const traceId = jid(r, 'traceId');
        const spanId = jid(r, 'spanId');
        const eventName = jstr(r, 'eventName');
        if (traceId) rec.traceId = traceId;
        if (spanId) rec.spanId = spanId;
        if (eventName) rec.eventName = eventName;
        out.push(rec);
      }
    }
  }
  return out;
}
