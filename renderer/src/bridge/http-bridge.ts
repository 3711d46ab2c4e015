/**
 * The Bridge over the headless server (same origin): invokes are `POST /api/v1/invoke/<channel>`
 * with a bearer token, events come from one long-lived NDJSON stream (`GET /api/v1/events`).
 * fetch + a stream reader rather than EventSource, because EventSource cannot send headers.
 */
// Runtime imports come from zod-free modules of core/common only (see channels.ts).
import { httpPaths } from '../../../core/common/http-api';
import type {
  Bridge,
  EventChannel,
  EventPayloads,
  InvokeChannel,
  InvokeInput,
  InvokeOutput,
  Unsubscribe,
} from '../../../core/common';
import { isKnownEventChannel } from './channels';
import type { ConnectionSource, ConnectionState } from './connection';
import { BridgeError, UNAUTHORIZED_HINT } from './errors';
import { createLineSplitter, parseEventLine, readInvokeResponse } from './ndjson';

export interface HttpBridgeOptions {
  token: string | null;
  /** Prefix of the API paths; '' means the page's own origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Reconnect delays: initial * 2^attempt, capped. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /**
   * Once the server has sent a ping, a stream silent for this long is treated as dead (a proxy or
   * a sleeping laptop can leave a socket open that will never deliver again).
   */
  idleTimeoutMs?: number;
  /** Told about lines that are not EventLines and listeners that throw; never fatal. */
  onProblem?: (problem: string) => void;
}

type AnyListener = (payload: unknown) => void;

export class HttpBridge implements Bridge, ConnectionSource {
  private readonly token: string | null;
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly backoffInitialMs: number;
  private readonly backoffMaxMs: number;
  private readonly idleTimeoutMs: number;
  private readonly onProblem: (problem: string) => void;

  private readonly listeners = new Map<EventChannel, Set<AnyListener>>();
  private readonly connectionListeners = new Set<(state: ConnectionState) => void>();
  private state: ConnectionState = { status: 'connecting', detail: null, retryInMs: null };
  private started = false;
  private closed = false;
  private streamAbort: AbortController | null = null;
  private wakeRetry: (() => void) | null = null;

  constructor(options: HttpBridgeOptions) {
    this.token = options.token;
    this.baseUrl = options.baseUrl ?? '';
    // Bound: calling a detached window.fetch throws "Illegal invocation".
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.backoffInitialMs = options.backoffInitialMs ?? 500;
    this.backoffMaxMs = options.backoffMaxMs ?? 10_000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.onProblem = options.onProblem ?? (() => {});
    if (!this.token) this.state = { status: 'unauthorized', detail: UNAUTHORIZED_HINT, retryInMs: null };
  }

  async invoke<C extends InvokeChannel>(channel: C, input?: InvokeInput<C>): Promise<InvokeOutput<C>> {
    if (!this.token) throw new BridgeError('unauthorized', UNAUTHORIZED_HINT, 401);
    let response: Response;
    try {
      response = await this.fetchFn(`${this.baseUrl}${httpPaths.invoke(channel)}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(input ?? {}),
        cache: 'no-store',
      });
    } catch (err) {
      throw new BridgeError('transport', `Cannot reach Agent Bruno (${describe(err)})`);
    }
    if (response.status === 401) this.setState({ status: 'unauthorized', detail: UNAUTHORIZED_HINT, retryInMs: null });
    return readInvokeResponse<InvokeOutput<C>>(response, channel);
  }

  on<E extends EventChannel>(channel: E, listener: (payload: EventPayloads[E]) => void): Unsubscribe {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    const fn = listener as AnyListener;
    set.add(fn);
    this.start();
    return () => void set.delete(fn);
  }

  current(): ConnectionState {
    return this.state;
  }

  onChange(listener: (state: ConnectionState) => void): Unsubscribe {
    this.connectionListeners.add(listener);
    return () => void this.connectionListeners.delete(listener);
  }

  /** Opens the event stream (also done by the first `on`). */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    if (!this.token) return; // Nothing to try: the state already says how to get a token.
    void this.runEventLoop();
  }

  close(): void {
    this.closed = true;
    this.streamAbort?.abort();
    this.wakeRetry?.();
    this.setState({ status: 'closed', detail: null, retryInMs: null });
  }

  private setState(next: ConnectionState): void {
    const prev = this.state;
    if (prev.status === next.status && prev.detail === next.detail && prev.retryInMs === next.retryInMs) return;
    this.state = next;
    for (const listener of this.connectionListeners) {
      try {
        listener(next);
      } catch (err) {
        this.onProblem(`connection listener failed: ${describe(err)}`);
      }
    }
  }

  private async runEventLoop(): Promise<void> {
    let attempt = 0;
    while (!this.closed) {
      let detail = 'The event stream ended';
      const abort = new AbortController();
      this.streamAbort = abort;
      try {
        const response = await this.fetchFn(`${this.baseUrl}${httpPaths.events}`, {
          headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/x-ndjson' },
          signal: abort.signal,
          cache: 'no-store',
        });
        if (response.status === 401) {
          // A new token only comes with a new URL: retrying cannot help.
          this.setState({ status: 'unauthorized', detail: UNAUTHORIZED_HINT, retryInMs: null });
          return;
        }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        attempt = 0;
        this.setState({ status: 'open', detail: null, retryInMs: null });
        await this.pump(response.body, abort);
      } catch (err) {
        detail = describe(err);
      }
      if (this.closed) return;
      if (abort.signal.aborted) detail = 'The event stream went silent';
      const delay = Math.min(this.backoffMaxMs, this.backoffInitialMs * 2 ** attempt);
      attempt += 1;
      this.setState({ status: 'lost', detail, retryInMs: delay });
      await this.sleep(delay);
    }
  }

  private async pump(body: ReadableStream<Uint8Array>, abort: AbortController): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const splitter = createLineSplitter((line) => this.handleLine(line));
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    let watchdogArmed = false;
    const rearm = () => {
      if (!watchdogArmed) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => abort.abort(), this.idleTimeoutMs);
    };
    this.onPing = () => {
      watchdogArmed = true;
    };
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        splitter.push(decoder.decode(value, { stream: true }));
        rearm();
      }
      splitter.push(decoder.decode());
      splitter.end();
    } finally {
      clearTimeout(idleTimer);
      this.onPing = () => {};
      reader.releaseLock();
    }
  }

  private onPing: () => void = () => {};

  private handleLine(line: string): void {
    const parsed = parseEventLine(line);
    if (!parsed) {
      this.onProblem(`ignored a line of the event stream that is not an event: ${line.slice(0, 120)}`);
      return;
    }
    if ('ping' in parsed) {
      this.onPing();
      return;
    }
    if (!isKnownEventChannel(parsed.channel)) return; // A newer server may know more channels.
    for (const listener of this.listeners.get(parsed.channel) ?? []) {
      try {
        listener(parsed.payload);
      } catch (err) {
        this.onProblem(`listener of ${parsed.channel} failed: ${describe(err)}`);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeRetry = done;
    }).then(() => {
      this.wakeRetry = null;
    });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
