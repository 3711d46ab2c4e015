import type { ExportHealth, TelemetrySignal } from '../common/telemetry';

export interface ExportTrackerOptions {
  endpoint: string | null;
  protocol: ExportHealth['protocol'];
  /** Mirrors drops into `bruno_telemetry_dropped_total{signal}`. */
  onDropped?: (signal: TelemetrySignal, count: number) => void;
  /** Each batch that was sent (or failed), for the debug log; must not throw (it is guarded). */
  onBatch?: (batch: ExportBatch) => void;
  clockIso?: () => string;
}

export interface ExportBatch {
  signal: TelemetrySignal;
  items: number;
  ms: number;
  ok: boolean;
  error?: string;
}

/**
 * What the UI, the tray and /api/v1/health say about the OTLP export: last success, last error,
 * items dropped per signal. Exporter wrappers report into it; it never throws.
 */
export class ExportTracker {
  private lastSuccessAt: string | null = null;
  private lastErrorAt: string | null = null;
  private lastError: string | null = null;
  private failing = false;
  private paused = false;
  private readonly dropped: Record<TelemetrySignal, number> = { traces: 0, metrics: 0, logs: 0 };
  private readonly clockIso: () => string;

  constructor(private readonly options: ExportTrackerOptions) {
    this.clockIso = options.clockIso ?? (() => new Date().toISOString());
  }

  /** While paused, batches are discarded at the exporter instead of sent (the operator asked). */
  setPaused(paused: boolean): void {
    this.paused = paused;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  succeeded(): void {
    this.lastSuccessAt = this.clockIso();
    this.failing = false;
  }

  failed(signal: TelemetrySignal, items: number, error: unknown): void {
    this.lastErrorAt = this.clockIso();
    this.lastError = describe(error);
    this.failing = true;
    this.drop(signal, items);
  }

  batch(batch: ExportBatch): void {
    try {
      this.options.onBatch?.(batch);
    } catch {
      // A debug line is not worth an export.
    }
  }

  drop(signal: TelemetrySignal, items: number): void {
    if (items <= 0) return;
    this.dropped[signal] += items;
    this.options.onDropped?.(signal, items);
  }

  snapshot(): ExportHealth {
    const { endpoint, protocol } = this.options;
    return {
      status: endpoint === null ? 'off' : this.paused ? 'paused' : this.failing ? 'failing' : 'ok',
      endpoint,
      protocol: endpoint === null ? null : protocol,
      lastSuccessAt: this.lastSuccessAt,
      lastErrorAt: this.lastErrorAt,
      lastError: this.lastError,
      dropped: { ...this.dropped },
    };
  }
}

function describe(error: unknown): string {
  if (!error) return 'export failed';
  const e = error as { message?: string; code?: unknown; cause?: { code?: unknown } };
  const code = e.cause?.code ?? e.code;
  const message = e.message ?? String(error);
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

/**
 * A cap on items handed to an exporter and not yet settled. The SDK's batch processors drop
 * silently when their queue is full; gating in front of them lets us count every drop.
 */
export class QueueGate {
  private pending = 0;
  constructor(readonly capacity: number) {}
  tryEnter(): boolean {
    if (this.pending >= this.capacity) return false;
    this.pending++;
    return true;
  }
  release(count: number): void {
    this.pending = Math.max(0, this.pending - count);
  }
  get size(): number {
    return this.pending;
  }
}
