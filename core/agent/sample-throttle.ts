import type { TurnSample } from '../common/telemetry';

/**
 * Live samples for the gauges at most every `intervalMs` (10 per second by default): the UI gets
 * a moving needle without a message per token. The final sample always goes out.
 */
export function createSampleThrottle(emit: (sample: TurnSample) => void, intervalMs = 100) {
  let lastAt = -Infinity;
  return {
    /** Whether a live sample at time `t` would go out: checked before one is built (hot path). */
    due: (t: number) => t - lastAt >= intervalMs,
    send(sample: TurnSample, t: number) {
      if (!sample.final && t - lastAt < intervalMs) return;
      lastAt = t;
      emit(sample);
    },
  };
}
