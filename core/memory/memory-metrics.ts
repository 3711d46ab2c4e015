import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { memoryMetricNames as N } from '../common/metric-names';
import type { MemoryType } from '../common/memory';
import { safely } from '../telemetry/safely';

export type MemoryOperation = 'read' | 'write' | 'delete';

/** Seed 2.4 memory metrics; every call is safe (telemetry never breaks the memory it observes). */
export interface MemoryMetrics {
  operation(operation: MemoryOperation, type: MemoryType, count?: number): void;
  retrieval(type: MemoryType, seconds: number): void;
  /** Where the entries gauge reads its values at scrape time (so it is never stale). */
  countEntriesWith(source: () => Record<MemoryType, number> | null): void;
}

// Retrieval is an in-process lookup or one embed call plus a vector search: milliseconds to seconds.
const latencyBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Registers on the core's registry (reusing the metrics if a second store shares it). */
export function createMemoryMetrics(registry: Registry<'text/plain; version=0.0.4; charset=utf-8'> | Registry<'application/openmetrics-text; version=1.0.0; charset=utf-8'>, report: (err: unknown) => void): MemoryMetrics {
  let ops: Counter<'operation' | 'memory_type'> | null = null;
  let latency: Histogram<'memory_type'> | null = null;
  let source: (() => Record<MemoryType, number> | null) | null = null;
  safely(report, () => {
    const registers = [registry];
    ops = (registry.getSingleMetric(N.operations) as Counter<'operation' | 'memory_type'> | undefined) ??
      new Counter({ name: N.operations, help: 'Memory operations by kind of memory', labelNames: ['operation', 'memory_type'], registers });
    latency = (registry.getSingleMetric(N.retrievalLatency) as Histogram<'memory_type'> | undefined) ??
      new Histogram({ name: N.retrievalLatency, help: 'Time to recall memory for a turn or a search', labelNames: ['memory_type'], buckets: latencyBuckets, registers });
    if (!registry.getSingleMetric(N.entries)) {
      new Gauge({
        name: N.entries,
        help: 'Stored memory entries: messages (episodic), facts (semantic), instructions (procedural)',
        labelNames: ['memory_type'],
        registers,
        collect() {
          let counts: Record<MemoryType, number> | null = null;
          safely(report, () => (counts = source?.() ?? null));
          for (const type of ['episodic', 'semantic', 'procedural'] as const) this.set({ memory_type: type }, (counts as Record<MemoryType, number> | null)?.[type] ?? 0);
        },
      });
    }
  });
  return {
    operation(operation, type, count = 1) {
      safely(report, () => (ops as Counter<'operation' | 'memory_type'> | null)?.inc({ operation, memory_type: type }, count));
    },
    retrieval(type, seconds) {
      safely(report, () => (latency as Histogram<'memory_type'> | null)?.observe({ memory_type: type }, seconds));
    },
    countEntriesWith(fn) {
      source = fn;
    },
  };
}

export const noopMemoryMetrics: MemoryMetrics = { operation() {}, retrieval() {}, countEntriesWith() {} };
