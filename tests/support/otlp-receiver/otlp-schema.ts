/**
 * Field numbers of the OTLP protobuf messages (opentelemetry-proto, v1 packages), as used on
 * the wire by OTLP/HTTP (application/x-protobuf) and OTLP/gRPC. Only the numbers are kept here;
 * wire types are implied by the getters decode.ts uses.
 *
 * Sources: opentelemetry-proto common/v1/common.proto, resource/v1/resource.proto,
 * trace/v1/trace.proto, metrics/v1/metrics.proto, logs/v1/logs.proto and the collector/*
 * service protos; cross-checked against the serializer in @opentelemetry/otlp-transformer.
 */

// ---- common/v1 + resource/v1 -----------------------------------------------------------------

export const AnyValue = {
  stringValue: 1, // string
  boolValue: 2, // bool
  intValue: 3, // int64
  doubleValue: 4, // double
  arrayValue: 5, // ArrayValue
  kvlistValue: 6, // KeyValueList
  bytesValue: 7, // bytes
} as const;

export const ArrayValue = { values: 1 } as const; // repeated AnyValue
export const KeyValueList = { values: 1 } as const; // repeated KeyValue
export const KeyValue = { key: 1, value: 2 } as const; // string, AnyValue

export const InstrumentationScope = {
  name: 1, // string
  version: 2, // string
  attributes: 3, // repeated KeyValue
  droppedAttributesCount: 4, // uint32
} as const;

export const Resource = {
  attributes: 1, // repeated KeyValue
  droppedAttributesCount: 2, // uint32
  entityRefs: 3, // repeated EntityRef (development)
} as const;

// ---- collector/*/v1 --------------------------------------------------------------------------

export const ExportTraceServiceRequest = { resourceSpans: 1 } as const;
export const ExportMetricsServiceRequest = { resourceMetrics: 1 } as const;
export const ExportLogsServiceRequest = { resourceLogs: 1 } as const;
/** Same shape for the three Export*ServiceResponse messages. */
export const ExportServiceResponse = { partialSuccess: 1 } as const;
/** Export{Trace,Metrics,Logs}PartialSuccess: rejected_{spans,data_points,log_records}, error_message. */
export const ExportPartialSuccess = { rejected: 1, errorMessage: 2 } as const;

// ---- trace/v1 --------------------------------------------------------------------------------

export const ResourceSpans = { resource: 1, scopeSpans: 2, schemaUrl: 3 } as const;
export const ScopeSpans = { scope: 1, spans: 2, schemaUrl: 3 } as const;

export const Span = {
  traceId: 1, // bytes(16)
  spanId: 2, // bytes(8)
  traceState: 3, // string
  parentSpanId: 4, // bytes(8)
  name: 5, // string
  kind: 6, // SpanKind enum
  startTimeUnixNano: 7, // fixed64
  endTimeUnixNano: 8, // fixed64
  attributes: 9, // repeated KeyValue
  droppedAttributesCount: 10, // uint32
  events: 11, // repeated Span.Event
  droppedEventsCount: 12, // uint32
  links: 13, // repeated Span.Link
  droppedLinksCount: 14, // uint32
  status: 15, // Status
  flags: 16, // fixed32
} as const;

export const SpanEvent = {
  timeUnixNano: 1, // fixed64
  name: 2, // string
  attributes: 3, // repeated KeyValue
  droppedAttributesCount: 4, // uint32
} as const;

export const SpanLink = {
  traceId: 1, // bytes
  spanId: 2, // bytes
  traceState: 3, // string
  attributes: 4, // repeated KeyValue
  droppedAttributesCount: 5, // uint32
  flags: 6, // fixed32
} as const;

/** Field 1 is reserved (the old deprecated_code). */
export const Status = { message: 2, code: 3 } as const;

/** Span.SpanKind — note: the proto enum is the @opentelemetry/api SpanKind value + 1. */
export const SpanKindNames = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
/** Status.StatusCode — same numbering as @opentelemetry/api SpanStatusCode. */
export const StatusCodeNames = ['unset', 'ok', 'error'] as const;

// ---- metrics/v1 ------------------------------------------------------------------------------

export const ResourceMetrics = { resource: 1, scopeMetrics: 2, schemaUrl: 3 } as const;
export const ScopeMetrics = { scope: 1, metrics: 2, schemaUrl: 3 } as const;

export const Metric = {
  name: 1, // string
  description: 2, // string
  unit: 3, // string
  gauge: 5, // Gauge
  sum: 7, // Sum
  histogram: 9, // Histogram
  exponentialHistogram: 10, // ExponentialHistogram
  summary: 11, // Summary
  metadata: 12, // repeated KeyValue
} as const;

export const Gauge = { dataPoints: 1 } as const; // repeated NumberDataPoint
export const Sum = { dataPoints: 1, aggregationTemporality: 2, isMonotonic: 3 } as const;
export const Histogram = { dataPoints: 1, aggregationTemporality: 2 } as const;
export const ExponentialHistogram = { dataPoints: 1, aggregationTemporality: 2 } as const;
export const Summary = { dataPoints: 1 } as const;

/** AggregationTemporality enum. */
export const AggregationTemporalityNames = ['unspecified', 'delta', 'cumulative'] as const;

export const NumberDataPoint = {
  startTimeUnixNano: 2, // fixed64
  timeUnixNano: 3, // fixed64
  asDouble: 4, // double
  exemplars: 5, // repeated Exemplar
  asInt: 6, // sfixed64
  attributes: 7, // repeated KeyValue
  flags: 8, // uint32
} as const;

export const HistogramDataPoint = {
  startTimeUnixNano: 2, // fixed64
  timeUnixNano: 3, // fixed64
  count: 4, // fixed64
  sum: 5, // optional double
  bucketCounts: 6, // repeated fixed64 (packed)
  explicitBounds: 7, // repeated double (packed)
  exemplars: 8, // repeated Exemplar
  attributes: 9, // repeated KeyValue
  flags: 10, // uint32
  min: 11, // optional double
  max: 12, // optional double
} as const;

export const ExponentialHistogramDataPoint = {
  attributes: 1, // repeated KeyValue
  startTimeUnixNano: 2, // fixed64
  timeUnixNano: 3, // fixed64
  count: 4, // fixed64
  sum: 5, // optional double
  scale: 6, // sint32
  zeroCount: 7, // fixed64
  positive: 8, // Buckets
  negative: 9, // Buckets
  flags: 10, // uint32
  exemplars: 11, // repeated Exemplar
  min: 12, // optional double
  max: 13, // optional double
  zeroThreshold: 14, // double
} as const;

export const ExponentialHistogramBuckets = {
  offset: 1, // sint32
  bucketCounts: 2, // repeated uint64 (packed varints)
} as const;

export const SummaryDataPoint = {
  startTimeUnixNano: 2, // fixed64
  timeUnixNano: 3, // fixed64
  count: 4, // fixed64
  sum: 5, // double
  quantileValues: 6, // repeated ValueAtQuantile
  attributes: 7, // repeated KeyValue
  flags: 8, // uint32
} as const;

export const ValueAtQuantile = { quantile: 1, value: 2 } as const;

export const Exemplar = {
  timeUnixNano: 2, // fixed64
  asDouble: 3, // double
  spanId: 4, // bytes
  traceId: 5, // bytes
  asInt: 6, // sfixed64
  filteredAttributes: 7, // repeated KeyValue
} as const;

// ---- logs/v1 ---------------------------------------------------------------------------------

export const ResourceLogs = { resource: 1, scopeLogs: 2, schemaUrl: 3 } as const;
export const ScopeLogs = { scope: 1, logRecords: 2, schemaUrl: 3 } as const;

export const LogRecord = {
  timeUnixNano: 1, // fixed64
  severityNumber: 2, // SeverityNumber enum
  severityText: 3, // string
  body: 5, // AnyValue
  attributes: 6, // repeated KeyValue
  droppedAttributesCount: 7, // uint32
  flags: 8, // fixed32
  traceId: 9, // bytes
  spanId: 10, // bytes
  observedTimeUnixNano: 11, // fixed64
  eventName: 12, // string
} as const;
