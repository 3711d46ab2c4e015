/**
 * Live numbers for the gauges and charts, kept out of React state: turn samples (~10/s) and
 * finished turns go into ring buffers, and listeners are told "something changed" so they can
 * redraw on the next animation frame. One instance per page, handed to components by context.
 */
import type { TurnSample, TurnStats } from '../../../../core/common';
import { RingBuffer } from './ring-buffer';

export interface LiveMetrics {
  /** Recent finished turns: time (s since epoch), TTFT (s), tokens/s (server truth). */
  readonly recent: { time: RingBuffer; ttft: RingBuffer; tps: RingBuffer };
  /** The current (or last) answer: seconds since it began, tokens/s at that moment. */
  readonly current: { elapsed: RingBuffer; tps: RingBuffer; turnId: string | null };
  /** The newest sample (null before the first turn). */
  latest(): TurnSample | null;
  /** Bumped on every change: a frame loop redraws only when it moved. */
  version(): number;
  onSample(sample: TurnSample): void;
  onTurnDone(stats: TurnStats, at?: number): void;
  subscribe(listener: () => void): () => void;
}

export const RECENT_TURNS = 120;
export const CURRENT_SAMPLES = 1200;

export function createLiveMetrics(): LiveMetrics {
  const recent = { time: new RingBuffer(RECENT_TURNS), ttft: new RingBuffer(RECENT_TURNS), tps: new RingBuffer(RECENT_TURNS) };
  const current = { elapsed: new RingBuffer(CURRENT_SAMPLES), tps: new RingBuffer(CURRENT_SAMPLES), turnId: null as string | null };
  const listeners = new Set<() => void>();
  let latest: TurnSample | null = null;
  let version = 0;
  const changed = () => {
    version++;
    for (const l of listeners) l();
  };
  return {
    recent,
    current,
    latest: () => latest,
    version: () => version,
    onSample(sample) {
      if (current.turnId !== sample.turnId) {
        current.turnId = sample.turnId;
        current.elapsed.clear();
        current.tps.clear();
      }
      latest = sample;
      if (!sample.final) {
        current.elapsed.push(sample.elapsedS);
        current.tps.push(sample.tokensPerSecond ?? NaN);
      }
      changed();
    },
    onTurnDone(stats, at = Date.now()) {
      recent.time.push(at / 1000);
      recent.ttft.push(stats.ttft_s ?? NaN);
      recent.tps.push(stats.tokens_per_second ?? NaN);
      changed();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

/**
 * Calls `draw` at most once per animation frame after a change (never while nothing changes).
 * Returns the undo. `schedule` is requestAnimationFrame in the page.
 */
export function drawOnFrames(metrics: Pick<LiveMetrics, 'subscribe'>, draw: () => void, schedule: (cb: () => void) => unknown = requestAnimationFrame): () => void {
  let pending = false;
  let stopped = false;
  const off = metrics.subscribe(() => {
    if (pending || stopped) return;
    pending = true;
    schedule(() => {
      pending = false;
      if (!stopped) draw();
    });
  });
  draw();
  return () => {
    stopped = true;
    off();
  };
}
