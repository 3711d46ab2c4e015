import type { AbortReason } from '../llm';

/**
 * Aborts a stream that goes quiet: a long allowance until the first chunk (model load), a shorter
 * one between chunks. Without it a stalled Ollama would leave the turn hanging forever.
 */
export interface StreamWatchdog {
  /** The request goes out now: the first-chunk allowance counts from here, not from the turn's
   *  start, so our own preparation (memory, retrieval) is never blamed on Ollama. */
  requestSent(): void;
  /** Call on every chunk with the time the caller already read; costs no timer. */
  touch(t: number): void;
  stop(): void;
  /** The reason and allowance of the abort it triggered, if it did. */
  readonly fired: { reason: AbortReason; afterMs: number } | null;
}

export function startStreamWatchdog(
  controller: AbortController,
  limits: { firstChunkTimeoutMs: number; idleChunkTimeoutMs: number },
  now: () => number = () => performance.now(),
): StreamWatchdog {
  let fired: StreamWatchdog['fired'] = null;
  let lastChunkAt: number | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  // One timer at a time: when it fires it checks the last chunk time and sleeps again for the
  // remainder, so a fast stream does not create a timer per token.
  const schedule = (delayMs: number) => {
    timer = setTimeout(check, Math.max(1, delayMs));
    timer.unref?.();
  };
  const fire = (reason: AbortReason, afterMs: number) => {
    fired = { reason, afterMs };
    controller.abort(reason);
  };
  const check = () => {
    if (stopped) return;
    if (lastChunkAt === null) return fire('stalled-first', limits.firstChunkTimeoutMs);
    const quietFor = now() - lastChunkAt;
    if (quietFor >= limits.idleChunkTimeoutMs) return fire('stalled-idle', limits.idleChunkTimeoutMs);
    schedule(limits.idleChunkTimeoutMs - quietFor);
  };
  schedule(limits.firstChunkTimeoutMs);

  return {
    requestSent() {
      if (stopped || fired || lastChunkAt !== null) return;
      clearTimeout(timer);
      schedule(limits.firstChunkTimeoutMs);
    },
    touch(t) {
      const first = lastChunkAt === null;
      lastChunkAt = t;
      if (first) {
        clearTimeout(timer);
        schedule(limits.idleChunkTimeoutMs);
      }
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    get fired() {
      return fired;
    },
  };
}
