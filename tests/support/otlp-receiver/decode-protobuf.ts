/** OTLP protobuf (application/x-protobuf, and the gRPC message payload) -> decoded-types.ts shapes. */
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
import type { AttributeValue, Attributes, DecodedDataPoint, DecodedExemplar, DecodedLogRecord, DecodedMetric, DecodedScope, DecodedSpan, DecodedSpanLink, Origin, Temporality } from './decoded-types';

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

