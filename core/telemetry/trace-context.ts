import { ROOT_CONTEXT, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { TraceCarrier } from '../common/telemetry';

/**
 * W3C Trace Context and Baggage, with the OpenTelemetry propagators used as objects: nothing is
 * registered globally (the core has no global tracer either), so two cores never share a
 * propagator. The propagators validate what they read: a malformed `traceparent` (wrong length,
 * version ff, all-zero ids) gives no parent, and the work starts a trace of its own.
 */
const propagator = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });

const carrierKeys = ['traceparent', 'tracestate', 'baggage'] as const;

/** Header-like records (Node's IncomingHttpHeaders, a TraceCarrier): first value of an array. */
type HeaderRecord = Record<string, string | string[] | undefined>;

const getter: TextMapGetter<HeaderRecord> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key.toLowerCase()],
};
const setter: TextMapSetter<TraceCarrier> = {
  set: (carrier, key, value) => {
    if ((carrierKeys as readonly string[]).includes(key)) carrier[key as keyof TraceCarrier] = value;
  },
};

/** The caller's context from request headers or a carrier; the root context when there is none. */
export function extractTraceContext(headers: HeaderRecord | TraceCarrier | undefined, base: Context = ROOT_CONTEXT): Context {
  if (!headers) return base;
  try {
    return propagator.extract(base, headers as HeaderRecord, getter);
  } catch {
    // The propagators do not throw on bad input; if one ever did, a new trace is the answer.
    return base;
  }
}

/** The three W3C fields of `context`, to hand the trace on across a boundary (or to the turn). */
export function injectTraceContext(context: Context): TraceCarrier {
  const carrier: TraceCarrier = {};
  try {
    propagator.inject(context, carrier, setter);
  } catch {
    // Nothing to hand on; the receiver starts a trace.
  }
  return carrier;
}

