import { describe, expect, it } from 'vitest';
import { maxTimerDelayMs, scheduleEvery } from '../../core/eval/eval-runner';

/** A fake clock and one pending timer at a time (scheduleEvery arms one after another). */
function fakeTimers(start = 0) {
  let now = start;
  const pending: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  return {
    now: () => now,
    set: (fn: () => void, ms: number) => {
      const t = { fn, ms, cancelled: false };
      pending.push(t);
      return { cancel: () => void (t.cancelled = true) };
    },
    /** Advances the clock by the next timer's delay and fires it; returns the delay. */
    fireNext() {
      const t = pending.shift();
      if (!t) throw new Error('no timer armed');
      now += t.ms;
      if (!t.cancelled) t.fn();
      return t.ms;
    },
    get armed() {
      return pending.filter((t) => !t.cancelled).length;
    },
  };
}

describe('scheduleEvery', () => {
  it('runs on its period by the clock', () => {
    const t = fakeTimers(1_000);
    let runs = 0;
    scheduleEvery(3_600_000, () => runs++, t.now, t.set);
    expect(t.fireNext()).toBe(3_600_000);
    expect(runs).toBe(1);
    expect(t.fireNext()).toBe(3_600_000);
    expect(runs).toBe(2);
  });

  it('a period past what one timer can wait (90 days) is cut into steps, and runs once at its end', () => {
    const t = fakeTimers();
    const period = 2160 * 3_600_000;
    expect(period).toBeGreaterThan(maxTimerDelayMs);
    let runs = 0;
    scheduleEvery(period, () => runs++, t.now, t.set);
    let waited = 0;
    while (runs === 0) {
      const ms = t.fireNext();
      expect(ms).toBeLessThanOrEqual(maxTimerDelayMs);
      expect(ms).toBeGreaterThanOrEqual(1);
      waited += ms;
    }
    expect(waited).toBe(period);
    expect(runs).toBe(1);
  });

  it('a timer that fires early (clock jumps, sleep) re-arms without running', () => {
    let now = 0;
    const armed: { fn: () => void; ms: number }[] = [];
    let runs = 0;
    scheduleEvery(10_000, () => runs++, () => now, (fn, ms) => (armed.push({ fn, ms }), { cancel: () => {} }));
    now = 4_000;
    armed.shift()!.fn();
    expect(runs).toBe(0);
    expect(armed[0]!.ms).toBe(6_000);
    now = 10_000;
    armed.shift()!.fn();
    expect(runs).toBe(1);
  });

  it('cancel stops it', () => {
    const t = fakeTimers();
    let runs = 0;
    const s = scheduleEvery(1_000, () => runs++, t.now, t.set);
    s.cancel();
    expect(t.armed).toBe(0);
    t.fireNext();
    expect(runs).toBe(0);
  });
});
