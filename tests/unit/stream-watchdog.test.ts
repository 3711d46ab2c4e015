import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startStreamWatchdog } from '../../core/agent/stream-watchdog';

const limits = { firstChunkTimeoutMs: 1000, idleChunkTimeoutMs: 300 };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('stream watchdog', () => {
  it('aborts as stalled-first when nothing arrives within the first-chunk allowance', () => {
    const controller = new AbortController();
    const watchdog = startStreamWatchdog(controller, limits, () => Date.now());
    vi.advanceTimersByTime(999);
    expect(controller.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(controller.signal.reason).toBe('stalled-first');
    expect(watchdog.fired).toEqual({ reason: 'stalled-first', afterMs: 1000 });
  });

  it('counts the first-chunk allowance from the request, not from the turn start', () => {
    const controller = new AbortController();
    const watchdog = startStreamWatchdog(controller, limits, () => Date.now());
    vi.advanceTimersByTime(800); // memory recall and retrieval took a while
    watchdog.requestSent();
    vi.advanceTimersByTime(900);
    expect(controller.signal.aborted).toBe(false);
    vi.advanceTimersByTime(100);
    expect(controller.signal.reason).toBe('stalled-first');
  });

  it('after the first chunk, aborts as stalled-idle only when the stream goes quiet', () => {
    const controller = new AbortController();
    const watchdog = startStreamWatchdog(controller, limits, () => Date.now());
    watchdog.requestSent();
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(200);
      watchdog.touch(Date.now());
    }
    expect(controller.signal.aborted).toBe(false);
    vi.advanceTimersByTime(300);
    expect(watchdog.fired).toEqual({ reason: 'stalled-idle', afterMs: 300 });
    // A late requestSent does not re-arm a watchdog that already fired.
    watchdog.requestSent();
    expect(watchdog.fired?.reason).toBe('stalled-idle');
  });

  it('never fires once stopped', () => {
    const controller = new AbortController();
    const watchdog = startStreamWatchdog(controller, limits, () => Date.now());
    watchdog.stop();
    watchdog.requestSent();
    vi.advanceTimersByTime(5000);
    expect(controller.signal.aborted).toBe(false);
  });
});
