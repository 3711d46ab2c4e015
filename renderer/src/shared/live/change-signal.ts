/**
 * A chart source for data that lives in React state (a few points that change now and then, like
 * the evaluation history): `notify` after the data changed, and the chart redraws on the next
 * frame, without being created again.
 */
import type { ChartSource } from './LiveChart';

export interface ChangeSignal extends ChartSource {
  notify(): void;
}

export function createChangeSignal(): ChangeSignal {
  const listeners = new Set<() => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    notify() {
      for (const l of listeners) l();
    },
  };
}
