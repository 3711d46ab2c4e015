import { getHeapStatistics } from 'node:v8';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Meter } from '@opentelemetry/api';
import { collectDefaultMetrics } from 'prom-client';
import { otelRuntimeMetricNames as O } from '../common/metric-names';
import type { MetricsRegistry } from './prom-metrics';

export interface RuntimeMetrics {
  stop(): void;
}

/**
 * Process and runtime metrics: prom-client's default collectors on the app's registry (RSS, heap,
 * GC, event-loop lag, handles; read at scrape time), and the OpenTelemetry runtime semantic
 * conventions over OTLP as observable instruments (read at each export, nothing in between).
 * One event-loop delay histogram for OTLP (prom-client keeps its own, reset per scrape).
 */
export function createRuntimeMetrics(registry: MetricsRegistry, meter: Meter, report: (err: unknown) => void): RuntimeMetrics {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  // prom-client also exports each of these gauges summed under a `_total` name, which Prometheus
  // reserves for counters (promtool check metrics flags them); the per-type gauge stays.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  const guard = (work: () => void) => {
    try {
      work();
    } catch (err) {
      report(err);
    }
  };
  meter.createObservableUpDownCounter(O.memoryUsage, { unit: 'By', description: 'Resident set size of the process' }).addCallback((r) => guard(() => r.observe(process.memoryUsage.rss())));
  meter.createObservableCounter(O.cpuTime, { unit: 's', description: 'CPU time used by the process' }).addCallback((r) =>
    guard(() => {
      const { user, system } = process.cpuUsage();
      r.observe(user / 1e6, { 'cpu.mode': 'user' });
      r.observe(system / 1e6, { 'cpu.mode': 'system' });
    }),
  );
  meter.createObservableUpDownCounter(O.heapUsed, { unit: 'By', description: 'V8 heap in use' }).addCallback((r) => guard(() => r.observe(process.memoryUsage().heapUsed)));
  meter.createObservableUpDownCounter(O.heapLimit, { unit: 'By', description: 'V8 heap size limit' }).addCallback((r) => guard(() => r.observe(getHeapStatistics().heap_size_limit)));
  meter.createObservableGauge(O.eventLoopDelayP99, { unit: 's', description: 'p99 event-loop delay since the last export' }).addCallback((r) =>
    guard(() => {
      if (delay.count > 0) r.observe(delay.percentile(99) / 1e9);
      delay.reset();
    }),
  );
  return { stop: () => delay.disable() };
}
