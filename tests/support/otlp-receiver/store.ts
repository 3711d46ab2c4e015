/**
 * What a test receiver has accepted so far, plus "wait until" helpers. Transport-agnostic: the
 * HTTP server (receiver.ts) and the gRPC server (grpc.ts) feed it.
 */
import { EventEmitter } from 'node:events';
import type { DecodedLogRecord, DecodedMetric, DecodedSpan } from './decode';

export type Signal = 'traces' | 'metrics' | 'logs';
export const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];

/** One export call as the receiver saw it. */
export interface ReceivedRequest {
  signal: Signal;
  /** 'protobuf' | 'json' (HTTP) or 'grpc'. */
  encoding: 'protobuf' | 'json' | 'grpc';
  /** Compression the client used: 'gzip', 'deflate', 'br' or 'identity'. */
  compression: string;
  /** Body size on the wire (compressed). */
  bytes: number;
  /** Request headers (HTTP/1.1 headers or gRPC metadata), lower-cased names. */
  headers: Record<string, string | string[] | undefined>;
  /** HTTP status (or gRPC status code for grpc) sent back; 'hung' when never answered. */
  status: number | 'hung';
  /** Items decoded from the request (spans, metrics or log records); 0 when decoding failed. */
  items: number;
  /** Set when the request was rejected as malformed. */
  error?: string;
}

/** Decoded items of one accepted request. */
export interface AcceptedData {
  spans?: DecodedSpan[];
  metrics?: DecodedMetric[];
  logs?: DecodedLogRecord[];
}

export class TelemetryStore {
  private readonly events = new EventEmitter();
  private _spans: DecodedSpan[] = [];
  private _metrics: DecodedMetric[] = [];
  private _logs: DecodedLogRecord[] = [];
  private _log: ReceivedRequest[] = [];
  private _errors: string[] = [];
  readonly requests: Record<Signal, number> = { traces: 0, metrics: 0, logs: 0 };

  constructor() {
    this.events.setMaxListeners(0);
  }

  /** Counts a request as soon as it arrives (whatever the mode or outcome). */
  countRequest(signal: Signal): void {
    this.requests[signal]++;
    this.changed();
  }

  /** Records a finished (or hung) request and, when `accepted`, keeps its decoded items. */
  record(req: ReceivedRequest, accepted: AcceptedData | undefined): void {
    this._log.push(req);
    if (req.error) this._errors.push(`${req.signal}: ${req.error}`);
    if (accepted?.spans) this._spans.push(...accepted.spans);
    if (accepted?.metrics) this._metrics.push(...accepted.metrics);
    if (accepted?.logs) this._logs.push(...accepted.logs);
    this.changed();
  }

  spans(): DecodedSpan[] {
    return [...this._spans];
  }
  metrics(): DecodedMetric[] {
    return [...this._metrics];
  }
  logs(): DecodedLogRecord[] {
    return [...this._logs];
  }
  requestLog(): ReceivedRequest[] {
    return [...this._log];
  }
  errors(): string[] {
    return [...this._errors];
  }

  reset(): void {
    this._spans = [];
    this._metrics = [];
    this._logs = [];
    this._log = [];
    this._errors = [];
    for (const s of SIGNALS) this.requests[s] = 0;
  }

  /** Human-readable summary, used in timeout messages. */
  summary(): string {
    const names = (xs: Array<{ name: string }>): string => [...new Set(xs.map((x) => x.name))].slice(0, 20).join(', ');
    return (
      `requests traces=${this.requests.traces} metrics=${this.requests.metrics} logs=${this.requests.logs}; ` +
      `spans=${this._spans.length} [${names(this._spans)}]; metrics=${this._metrics.length} [${names(this._metrics)}]; ` +
      `logs=${this._logs.length}` +
      (this._errors.length ? `; errors: ${this._errors.join(' | ')}` : '')
    );
  }

  /**
   * Resolves with the first truthy value `probe` returns, re-evaluating whenever something
   * arrives; rejects after `timeoutMs` with a summary of what was received.
   */
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        let v: T | undefined | null | false;
        try {
          v = probe();
        } catch (err) {
          cleanup();
          reject(err instanceof Error ? err : new Error(String(err)));
          return true;
        }
        if (v) {
          cleanup();
          resolve(v);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`otlp-receiver: timed out after ${timeoutMs} ms waiting for ${what} (${this.summary()})`));
      }, timeoutMs);
      const onChange = (): void => void check();
      const cleanup = (): void => {
        clearTimeout(timer);
        this.events.off('change', onChange);
      };
      this.events.on('change', onChange);
      check();
    });
  }

  private changed(): void {
    this.events.emit('change');
  }
}
