/**
 * Streamed text does not enter React state per token: chunks are appended here and flushed to the
 * store at most once per animation frame (zustand's transient-update pattern).
 */
export type ScheduleFrame = (callback: () => void) => void;

export interface PendingText {
  text: string;
  thinking: string;
}

export interface FrameBuffer {
  append(turnId: string, kind: keyof PendingText, chunk: string): void;
  /** Hands every pending chunk to the flush callback now (before a turn ends, for instance). */
  flushNow(): void;
  hasPending(): boolean;
}

export function createFrameBuffer(
  schedule: ScheduleFrame,
  flush: (pending: ReadonlyMap<string, PendingText>) => void,
): FrameBuffer {
  let pending = new Map<string, PendingText>();
  let scheduled = false;

  const flushNow = () => {
    scheduled = false;
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    flush(batch);
  };

  return {
    append(turnId, kind, chunk) {
      if (chunk === '') return;
      let entry = pending.get(turnId);
      if (!entry) pending.set(turnId, (entry = { text: '', thinking: '' }));
      entry[kind] += chunk;
      if (!scheduled) {
        scheduled = true;
        schedule(() => {
          // A flushNow in between already emptied the buffer; this becomes a no-op.
          if (scheduled) flushNow();
        });
      }
    },
    flushNow,
    hasPending: () => pending.size > 0,
  };
}

/** requestAnimationFrame when there is one (browser), else a timer (tests, hidden tabs excluded). */
export const defaultScheduleFrame: ScheduleFrame = (callback) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => callback());
  else setTimeout(callback, 16);
};
