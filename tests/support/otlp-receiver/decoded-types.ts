/** The plain shapes both decoders (decode-protobuf.ts, decode-json.ts) produce. */
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

export interface Origin {
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

