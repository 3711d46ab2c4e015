/**
 * Time helpers for the fake Ollama server.
 *
 * Ollama reports every duration as integer nanoseconds and every timestamp as
 * Go's RFC3339Nano (`2024-06-01T12:00:00.123456789Z`, trailing zeros of the
 * fraction trimmed). These helpers give a monotonic nanosecond clock anchored
 * to the wall clock, and sleeps that never end early and stop when aborted.
 */

const anchorWallNs = BigInt(Date.now()) * 1_000_000n;
const anchorMonoNs = process.hrtime.bigint();

/** Monotonic time in nanoseconds (only differences are meaningful). */
export function monoNs(): bigint {
  return process.hrtime.bigint();
}

/** Nanoseconds elapsed since `startNs` (a value of `monoNs()`), as a safe integer number. */
export function elapsedNs(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs);
}

/** Wall-clock "now" in nanoseconds since the epoch, with sub-millisecond precision. */
export function wallNs(): bigint {
  return anchorWallNs + (process.hrtime.bigint() - anchorMonoNs);
}

/** Formats epoch nanoseconds like Go's time.RFC3339Nano in UTC. */
export function rfc3339Nano(epochNs: bigint): string {
  const ms = epochNs / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString(); // 2024-06-01T12:00:00.123Z
  const fraction = (epochNs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const seconds = iso.slice(0, 19);
  return fraction === '' ? `${seconds}Z` : `${seconds}.${fraction}Z`;
}

/** `created_at` value for a chunk written now. */
export function nowRfc3339(): string {
  return rfc3339Nano(wallNs());
}

/** A timestamp `ms` milliseconds from now, RFC3339Nano. */
export function rfc3339In(ms: number): string {
  return rfc3339Nano(wallNs() + BigInt(Math.round(ms)) * 1_000_000n);
}

/**
 * Sleeps at least `ms` milliseconds (setTimeout may fire up to a millisecond
 * early; this re-sleeps until the target really passed). Resolves `true` when
 * the time elapsed, `false` as soon as `signal` aborts. Never rejects.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (!(ms > 0)) return Promise.resolve(true);
  const target = performance.now() + ms;
  return new Promise<boolean>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      resolve(false);
    };
    const arm = (): void => {
      const remaining = target - performance.now();
      if (remaining <= 0) {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
        return;
      }
      timer = setTimeout(arm, Math.max(1, Math.ceil(remaining)));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    arm();
  });
}

/** Resolves when `signal` aborts (used to hold a stalled response open). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Lets other I/O run (used between batches when streaming as fast as possible). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Parses an Ollama `keep_alive` value into milliseconds: a number is seconds,
 * a string is a Go duration ("5m", "1h30m", "10s", "300ms") or a bare number of
 * seconds. Negative means "keep forever". Returns undefined when absent/invalid.
 */
export function parseKeepAlive(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value * 1000;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[-+]/, '');
  const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = re.exec(body); match !== null; match = re.exec(body)) {
    const amount = Number(match[1]);
    const unit = unitMs[match[2] ?? ''];
    if (unit === undefined) return undefined;
    total += amount * unit;
    consumed = re.lastIndex;
  }
  if (consumed !== body.length || consumed === 0) return undefined;
  return sign * total;
}
