import { describe, expect, it, vi } from 'vitest';
import { createEventBatcher } from '../../core/agent';
import type { TurnEvent } from '../../core/common';

describe('event batcher', () => {
  it('joins consecutive tokens and flushes on the timer', () => {
    vi.useFakeTimers();
    try {
      const batches: TurnEvent[][] = [];
      const b = createEventBatcher((e) => batches.push(e), 16);
      b.push({ type: 'token', text: 'a' });
      b.push({ type: 'token', text: 'b' });
      b.push({ type: 'thinking', text: 't' });
      b.push({ type: 'token', text: 'c' });
      expect(batches).toHaveLength(0);
      vi.advanceTimersByTime(16);
      expect(batches).toEqual([[{ type: 'token', text: 'ab' }, { type: 'thinking', text: 't' }, { type: 'token', text: 'c' }]]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('flushes at once when the turn ends, keeping order', () => {
    const batches: TurnEvent[][] = [];
    const b = createEventBatcher((e) => batches.push(e), 10_000);
    b.push({ type: 'token', text: 'x' });
    b.push({ type: 'error', code: 'cancelled', message: 'Stopped.' });
    expect(batches).toEqual([[{ type: 'token', text: 'x' }, { type: 'error', code: 'cancelled', message: 'Stopped.' }]]);
  });
});
