/**
 * What the OTLP receiver tests (tests/unit/otlp-receiver-*.test.ts) share: an SDK resource, id
 * formats, one-span exports, and closing what a test started after it.
 */
import { afterEach } from 'vitest';
import type { ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { type OtlpReceiver, startOtlpReceiver } from './receiver';

export const resource = resourceFromAttributes({ 'service.name': 't', 'service.version': '1.2.3' });
export const HEX32 = /^[0-9a-f]{32}$/;
export const HEX16 = /^[0-9a-f]{16}$/;

export interface ReceiverScope {
  /** Run after the test, last pushed first (SDK providers and exporters). */
  cleanups: Array<() => Promise<unknown>>;
  /** Starts an http receiver that is closed after the test. */
  start(opts?: Parameters<typeof startOtlpReceiver>[0]): Promise<OtlpReceiver>;
  /** Closes this receiver (e.g. a gRPC one) after the test. */
  adopt<R extends { close(): Promise<unknown> }>(receiver: R): R;
}

/** Registers an afterEach that runs the cleanups, then closes the test's receiver. */
export function receiverScope(): ReceiverScope {
  let receiver: { close(): Promise<unknown> } | undefined;
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
    await receiver?.close();
    receiver = undefined;
  });
  return {
    cleanups,
    async start(opts) {
      const started = await startOtlpReceiver(opts);
      receiver = started;
      return started;
    },
    adopt(r) {
      receiver = r;
      return r;
    },
  };
}

/** One span through an exporter, resolved with the export result (no provider involved). */
export function exportOneSpan(exporter: Pick<SpanExporter, 'export'>): Promise<ExportResult> {
  const provider = new BasicTracerProvider({ resource });
  const captured: ReadableSpan[] = [];
  const span = provider.getTracer('t').startSpan('lonely');
  span.end();
  captured.push(span as unknown as ReadableSpan);
  return new Promise((resolve) => exporter.export(captured, resolve));
}
