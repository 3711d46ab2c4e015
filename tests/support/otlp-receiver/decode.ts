/**
 * OTLP export requests -> plain objects that tests can assert on.
 *
 * Two entry points per signal: `decode*Request(bytes)` for OTLP protobuf
 * (application/x-protobuf, and the gRPC message payload) and `decode*Json(value)` for OTLP/JSON
 * (application/json). Both produce the same shapes, flattened: one object per span / metric /
 * log record, each carrying its resource attributes and instrumentation scope.
 */
import {
  type FieldMap,
  bytesToHex,
  getBool,
  getBytes,
  getDouble,
  getInt32,
  getInt64,
  getMessage,
  getMessages,
  getRepeatedDouble,
  getRepeatedFixed64,
  getRepeatedVarint,
  getSint,
  getString,
  getUint32,
  getUint64,
  has,
  readMessage,
  toNumberIfSafe,
} from './protobuf-wire';
import * as S from './otlp-schema';

// ---------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------

/** An OTLP AnyValue as a plain JS value. int64 becomes number when exact, bigint otherwise. */
export type AttributeValue =
  | string
  | number
  | boolean
  | bigint
  | Uint8Array
  | null
  | AttributeValue[]
  | { [key: string]: AttributeValue };

export type Attributes = Record<string, AttributeValue>;

export interface DecodedScope {
  name: string;
  version?: string;
  attributes: Attributes;
}

interface Origin {
  /** Resource attributes, e.g. `resource['service.name']`. */
  resource: Attributes;
  scope: DecodedScope;
}

export type SpanKindName = (typeof S.SpanKindNames)[number];
export type StatusCodeName = (typeof S.StatusCodeNames)[number];

export interface DecodedSpanEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Attributes;
  droppedAttributesCount: number;
}

export interface DecodedSpanLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: Attributes;
  droppedAttributesCount: number;
  flags: number;
}

export interface DecodedSpan extends Origin {
  /** 32 lowercase hex chars. */
  traceId: string;
  /** 16 lowercase hex chars. */
  spanId: string;
  /** Absent for a root span. */
  parentSpanId?: string;
  traceState?: string;
  name: string;
  /** OTLP enum value: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer (= api SpanKind + 1). */
  kind: number;
  kindName: SpanKindName;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  /** (end - start) in milliseconds, as a float. */
  durationMs: number;
  attributes: Attributes;
  droppedAttributesCount: number;
  events: DecodedSpanEvent[];
  droppedEventsCount: number;
  links: DecodedSpanLink[];
  droppedLinksCount: number;
  /** code: 0 unset, 1 ok, 2 error (same numbers as api SpanStatusCode). */
  status: { code: number; codeName: StatusCodeName; message: string };
  /** W3C trace flags in bits 0-7, plus 0x100 "has is_remote" and 0x200 "parent is remote". */
  flags: number;
}

export interface DecodedExemplar {
  timeUnixNano: bigint;
  value: number;
  traceId?: string;
  spanId?: string;
  filteredAttributes: Attributes;
}

export type MetricType = 'sum' | 'gauge' | 'histogram' | 'exponentialHistogram' | 'summary' | 'unknown';
export type Temporality = (typeof S.AggregationTemporalityNames)[number];

/**
 * One data point; which optional fields are set depends on the metric type:
 * - sum / gauge: `value` (+ `valueType`)
 * - histogram: `count`, `sum?`, `min?`, `max?`, `bucketCounts`, `explicitBounds`
 * - exponentialHistogram: `count`, `sum?`, `min?`, `max?`, `scale`, `zeroCount`, `positive`, `negative`
 * - summary: `count`, `sum`, `quantiles`
 */
export interface DecodedDataPoint {
  attributes: Attributes;
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  flags: number;
  exemplars: DecodedExemplar[];
  value?: number;
  valueType?: 'int' | 'double';
  count?: number;
  sum?: number;
  min?: number;
  max?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
  scale?: number;
  zeroCount?: number;
  zeroThreshold?: number;
  positive?: { offset: number; bucketCounts: number[] };
  negative?: { offset: number; bucketCounts: number[] };
  quantiles?: Array<{ quantile: number; value: number }>;
}

export interface DecodedMetric extends Origin {
  name: string;
  description: string;
  unit: string;
  type: MetricType;
  /** sum, histogram and exponentialHistogram only. */
  temporality?: Temporality;
  /** sum only. */
  isMonotonic?: boolean;
  dataPoints: DecodedDataPoint[];
}

export interface DecodedLogRecord extends Origin {
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  severityNumber: number;
  severityText: string;
  /** String, number, structured map, array... or undefined when the record has no body. */
  body: AttributeValue | undefined;
  attributes: Attributes;
  droppedAttributesCount: number;
  /** W3C trace flags (bits 0-7). */
  flags: number;
  traceId?: string;
  spanId?: string;
  eventName?: string;
}

// ---------------------------------------------------------------------------------------------
// Protobuf
// ---------------------------------------------------------------------------------------------

function num(v: bigint | undefined): number {
  return v === undefined ? 0 : Number(v);
}

function hexOrUndefined(b: Uint8Array | undefined): string | undefined {
  return b && b.length > 0 ? bytesToHex(b) : undefined;
}

export function decodeAnyValue(m: FieldMap): AttributeValue {
  if (has(m, S.AnyValue.stringValue)) return getString(m, S.AnyValue.stringValue)!;
  if (has(m, S.AnyValue.boolValue)) return getBool(m, S.AnyValue.boolValue)!;
  if (has(m, S.AnyValue.intValue)) return toNumberIfSafe(getInt64(m, S.AnyValue.intValue)!);
  if (has(m, S.AnyValue.doubleValue)) return getDouble(m, S.AnyValue.doubleValue)!;
  if (has(m, S.AnyValue.arrayValue)) {
    const arr = getMessage(m, S.AnyValue.arrayValue)!;
    return getMessages(arr, S.ArrayValue.values).map(decodeAnyValue);
  }
  if (has(m, S.AnyValue.kvlistValue)) {
    const list = getMessage(m, S.AnyValue.kvlistValue)!;
    return decodeKeyValues(getMessages(list, S.KeyValueList.values));
  }
  if (has(m, S.AnyValue.bytesValue)) return Uint8Array.from(getBytes(m, S.AnyValue.bytesValue)!);
  return null;
}

function decodeKeyValues(kvs: FieldMap[]): Attributes {
  const out: Attributes = {};
  for (const kv of kvs) {
    const key = getString(kv, S.KeyValue.key) ?? '';
    const value = getMessage(kv, S.KeyValue.value);
    out[key] = value ? decodeAnyValue(value) : null;
  }
  return out;
}

function attributesOf(m: FieldMap, field: number): Attributes {
  return decodeKeyValues(getMessages(m, field));
}

function decodeScope(m: FieldMap | undefined): DecodedScope {
  if (!m) return { name: '', attributes: {} };
  const scope: DecodedScope = {
    name: getString(m, S.InstrumentationScope.name) ?? '',
    attributes: attributesOf(m, S.InstrumentationScope.attributes),
  };
  const version = getString(m, S.InstrumentationScope.version);
  if (version) scope.version = version;
  return scope;
}

function decodeResource(m: FieldMap | undefined): Attributes {
  return m ? attributesOf(m, S.Resource.attributes) : {};
}

function decodeSpan(m: FieldMap, origin: Origin): DecodedSpan {
  const start = getUint64(m, S.Span.startTimeUnixNano) ?? 0n;
  const end = getUint64(m, S.Span.endTimeUnixNano) ?? 0n;
  const kind = getInt32(m, S.Span.kind) ?? 0;
  const statusMsg = getMessage(m, S.Span.status);
  const statusCode = statusMsg ? (getInt32(statusMsg, S.Status.code) ?? 0) : 0;
  const span: DecodedSpan = {
    traceId: hexOrUndefined(getBytes(m, S.Span.traceId)) ?? '',
    spanId: hexOrUndefined(getBytes(m, S.Span.spanId)) ?? '',
    name: getString(m, S.Span.name) ?? '',
    kind,
    kindName: S.SpanKindNames[kind] ?? 'unspecified',
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    durationMs: Number(end - start) / 1e6,
    attributes: attributesOf(m, S.Span.attributes),
    droppedAttributesCount: getUint32(m, S.Span.droppedAttributesCount) ?? 0,
    events: getMessages(m, S.Span.events).map((e) => ({
      name: getString(e, S.SpanEvent.name) ?? '',
      timeUnixNano: getUint64(e, S.SpanEvent.timeUnixNano) ?? 0n,
      attributes: attributesOf(e, S.SpanEvent.attributes),
      droppedAttributesCount: getUint32(e, S.SpanEvent.droppedAttributesCount) ?? 0,
    })),
    droppedEventsCount: getUint32(m, S.Span.droppedEventsCount) ?? 0,
    links: getMessages(m, S.Span.links).map((l) => {
      const link: DecodedSpanLink = {
        traceId: hexOrUndefined(getBytes(l, S.SpanLink.traceId)) ?? '',
        spanId: hexOrUndefined(getBytes(l, S.SpanLink.spanId)) ?? '',
        attributes: attributesOf(l, S.SpanLink.attributes),
        droppedAttributesCount: getUint32(l, S.SpanLink.droppedAttributesCount) ?? 0,
        flags: getUint32(l, S.SpanLink.flags) ?? 0,
      };
      const ts = getString(l, S.SpanLink.traceState);
      if (ts) link.traceState = ts;
      return link;
    }),
    droppedLinksCount: getUint32(m, S.Span.droppedLinksCount) ?? 0,
    status: {
      code: statusCode,
      codeName: S.StatusCodeNames[statusCode] ?? 'unset',
      message: (statusMsg && getString(statusMsg, S.Status.message)) ?? '',
    },
    flags: getUint32(m, S.Span.flags) ?? 0,
    resource: origin.resource,
    scope: origin.scope,
  };
  const parent = hexOrUndefined(getBytes(m, S.Span.parentSpanId));
  if (parent) span.parentSpanId = parent;
  const traceState = getString(m, S.Span.traceState);
  if (traceState) span.traceState = traceState;
  return span;
}

/** Decodes an ExportTraceServiceRequest. */
export function decodeTraceRequest(buf: Uint8Array): DecodedSpan[] {
  const out: DecodedSpan[] = [];
  const req = readMessage(buf);
  for (const rs of getMessages(req, S.ExportTraceServiceRequest.resourceSpans)) {
    const resource = decodeResource(getMessage(rs, S.ResourceSpans.resource));
    for (const ss of getMessages(rs, S.ResourceSpans.scopeSpans)) {
      const scope = decodeScope(getMessage(ss, S.ScopeSpans.scope));
      for (const sp of getMessages(ss, S.ScopeSpans.spans)) out.push(decodeSpan(sp, { resource, scope }));
    }
  }
  return out;
}

function decodeExemplar(m: FieldMap): DecodedExemplar {
  const ex: DecodedExemplar = {
    timeUnixNano: getUint64(m, S.Exemplar.timeUnixNano) ?? 0n,
    value: has(m, S.Exemplar.asInt) ? num(getInt64(m, S.Exemplar.asInt)) : (getDouble(m, S.Exemplar.asDouble) ?? 0),
    filteredAttributes: attributesOf(m, S.Exemplar.filteredAttributes),
  };
  const traceId = hexOrUndefined(getBytes(m, S.Exemplar.traceId));
  const spanId = hexOrUndefined(getBytes(m, S.Exemplar.spanId));
  if (traceId) ex.traceId = traceId;
  if (spanId) ex.spanId = spanId;
  return ex;
}

function decodeNumberPoint(m: FieldMap): DecodedDataPoint {
  const isInt = has(m, S.NumberDataPoint.asInt);
  return {
    attributes: attributesOf(m, S.NumberDataPoint.attributes),
    startTimeUnixNano: getUint64(m, S.NumberDataPoint.startTimeUnixNano) ?? 0n,
    timeUnixNano: getUint64(m, S.NumberDataPoint.timeUnixNano) ?? 0n,
    flags: getUint32(m, S.NumberDataPoint.flags) ?? 0,
    exemplars: getMessages(m, S.NumberDataPoint.exemplars).map(decodeExemplar),
    value: isInt ? num(getInt64(m, S.NumberDataPoint.asInt)) : (getDouble(m, S.NumberDataPoint.asDouble) ?? 0),
    valueType: isInt ? 'int' : 'double',
  };
}

function optionalDouble(m: FieldMap, field: number, into: DecodedDataPoint, key: 'sum' | 'min' | 'max'): void {
  const v = getDouble(m, field);
  if (v !== undefined) into[key] = v;
}

function decodeHistogramPoint(m: FieldMap): DecodedDataPoint {
  const F = S.HistogramDataPoint;
  const dp: DecodedDataPoint = {
    attributes: attributesOf(m, F.attributes),
    startTimeUnixNano: getUint64(m, F.startTimeUnixNano) ?? 0n,
    timeUnixNano: getUint64(m, F.timeUnixNano) ?? 0n,
    flags: getUint32(m, F.flags) ?? 0,
    exemplars: getMessages(m, F.exemplars).map(decodeExemplar),
    count: num(getUint64(m, F.count)),
    bucketCounts: getRepeatedFixed64(m, F.bucketCounts).map(Number),
    explicitBounds: getRepeatedDouble(m, F.explicitBounds),
  };
  optionalDouble(m, F.sum, dp, 'sum');
  optionalDouble(m, F.min, dp, 'min');
  optionalDouble(m, F.max, dp, 'max');
  return dp;
}

function decodeExpBuckets(m: FieldMap | undefined): { offset: number; bucketCounts: number[] } {
  if (!m) return { offset: 0, bucketCounts: [] };
  return {
    offset: num(getSint(m, S.ExponentialHistogramBuckets.offset)),
    bucketCounts: getRepeatedVarint(m, S.ExponentialHistogramBuckets.bucketCounts).map(Number),
  };
}

function decodeExpHistogramPoint(m: FieldMap): DecodedDataPoint {
  const F = S.ExponentialHistogramDataPoint;
  const dp: DecodedDataPoint = {
    attributes: attributesOf(m, F.attributes),
    startTimeUnixNano: getUint64(m, F.startTimeUnixNano) ?? 0n,
    timeUnixNano: getUint64(m, F.timeUnixNano) ?? 0n,
    flags: getUint32(m, F.flags) ?? 0,
    exemplars: getMessages(m, F.exemplars).map(decodeExemplar),
    count: num(getUint64(m, F.count)),
    scale: num(getSint(m, F.scale)),
    zeroCount: num(getUint64(m, F.zeroCount)),
    zeroThreshold: getDouble(m, F.zeroThreshold) ?? 0,
    positive: decodeExpBuckets(getMessage(m, F.positive)),
    negative: decodeExpBuckets(getMessage(m, F.negative)),
  };
  optionalDouble(m, F.sum, dp, 'sum');
  optionalDouble(m, F.min, dp, 'min');
  optionalDouble(m, F.max, dp, 'max');
  return dp;
}

function decodeSummaryPoint(m: FieldMap): DecodedDataPoint {
  const F = S.SummaryDataPoint;
  return {
    attributes: attributesOf(m, F.attributes),
    startTimeUnixNano: getUint64(m, F.startTimeUnixNano) ?? 0n,
    timeUnixNano: getUint64(m, F.timeUnixNano) ?? 0n,
    flags: getUint32(m, F.flags) ?? 0,
    exemplars: [],
    count: num(getUint64(m, F.count)),
    sum: getDouble(m, F.sum) ?? 0,
    quantiles: getMessages(m, F.quantileValues).map((q) => ({
      quantile: getDouble(q, S.ValueAtQuantile.quantile) ?? 0,
      value: getDouble(q, S.ValueAtQuantile.value) ?? 0,
    })),
  };
}

function temporalityName(v: number | undefined): Temporality {
  return S.AggregationTemporalityNames[v ?? 0] ?? 'unspecified';
}

function decodeMetric(m: FieldMap, origin: Origin): DecodedMetric {
  const metric: DecodedMetric = {
    name: getString(m, S.Metric.name) ?? '',
    description: getString(m, S.Metric.description) ?? '',
    unit: getString(m, S.Metric.unit) ?? '',
    type: 'unknown',
    dataPoints: [],
    resource: origin.resource,
    scope: origin.scope,
  };
  let data: FieldMap | undefined;
  if ((data = getMessage(m, S.Metric.sum))) {
    metric.type = 'sum';
    metric.dataPoints = getMessages(data, S.Sum.dataPoints).map(decodeNumberPoint);
    metric.temporality = temporalityName(getInt32(data, S.Sum.aggregationTemporality));
    metric.isMonotonic = getBool(data, S.Sum.isMonotonic) ?? false;
  } else if ((data = getMessage(m, S.Metric.gauge))) {
    metric.type = 'gauge';
    metric.dataPoints = getMessages(data, S.Gauge.dataPoints).map(decodeNumberPoint);
  } else if ((data = getMessage(m, S.Metric.histogram))) {
    metric.type = 'histogram';
    metric.dataPoints = getMessages(data, S.Histogram.dataPoints).map(decodeHistogramPoint);
    metric.temporality = temporalityName(getInt32(data, S.Histogram.aggregationTemporality));
  } else if ((data = getMessage(m, S.Metric.exponentialHistogram))) {
    metric.type = 'exponentialHistogram';
    metric.dataPoints = getMessages(data, S.ExponentialHistogram.dataPoints).map(decodeExpHistogramPoint);
    metric.temporality = temporalityName(getInt32(data, S.ExponentialHistogram.aggregationTemporality));
  } else if ((data = getMessage(m, S.Metric.summary))) {
    metric.type = 'summary';
    metric.dataPoints = getMessages(data, S.Summary.dataPoints).map(decodeSummaryPoint);
  }
  return metric;
}

/** Decodes an ExportMetricsServiceRequest. */
export function decodeMetricsRequest(buf: Uint8Array): DecodedMetric[] {
  const out: DecodedMetric[] = [];
  const req = readMessage(buf);
  for (const rm of getMessages(req, S.ExportMetricsServiceRequest.resourceMetrics)) {
    const resource = decodeResource(getMessage(rm, S.ResourceMetrics.resource));
    for (const sm of getMessages(rm, S.ResourceMetrics.scopeMetrics)) {
      const scope = decodeScope(getMessage(sm, S.ScopeMetrics.scope));
      for (const me of getMessages(sm, S.ScopeMetrics.metrics)) out.push(decodeMetric(me, { resource, scope }));
    }
  }
  return out;
}

function decodeLogRecord(m: FieldMap, origin: Origin): DecodedLogRecord {
  const F = S.LogRecord;
  const body = getMessage(m, F.body);
  const rec: DecodedLogRecord = {
    timeUnixNano: getUint64(m, F.timeUnixNano) ?? 0n,
    observedTimeUnixNano: getUint64(m, F.observedTimeUnixNano) ?? 0n,
    severityNumber: getInt32(m, F.severityNumber) ?? 0,
    severityText: getString(m, F.severityText) ?? '',
    body: body ? decodeAnyValue(body) : undefined,
    attributes: attributesOf(m, F.attributes),
    droppedAttributesCount: getUint32(m, F.droppedAttributesCount) ?? 0,
    flags: getUint32(m, F.flags) ?? 0,
    resource: origin.resource,
    scope: origin.scope,
  };
  const traceId = hexOrUndefined(getBytes(m, F.traceId));
  const spanId = hexOrUndefined(getBytes(m, F.spanId));
  const eventName = getString(m, F.eventName);
  if (traceId) rec.traceId = traceId;
  if (spanId) rec.spanId = spanId;
  if (eventName) rec.eventName = eventName;
  return rec;
}

/** Decodes an ExportLogsServiceRequest. */
export function decodeLogsRequest(buf: Uint8Array): DecodedLogRecord[] {
  const out: DecodedLogRecord[] = [];
  const req = readMessage(buf);
  for (const rl of getMessages(req, S.ExportLogsServiceRequest.resourceLogs)) {
    const resource = decodeResource(getMessage(rl, S.ResourceLogs.resource));
    for (const sl of getMessages(rl, S.ResourceLogs.scopeLogs)) {
      const scope = decodeScope(getMessage(sl, S.ScopeLogs.scope));
      for (const lr of getMessages(sl, S.ScopeLogs.logRecords)) out.push(decodeLogRecord(lr, { resource, scope }));
    }
  }
  return out;
}

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
