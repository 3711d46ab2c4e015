import { isTurnEnd, type TurnEvent } from '../common/turn';

/**
 * Coalesces a turn's events for a transport: consecutive token (or thinking) texts are joined and
 * flushed every `intervalMs`, so a 2,000 tokens/s stream costs ~60 messages/s, not 2,000.
 * The end event flushes at once so the UI never waits for a timer to learn the turn ended.
 */
export function createEventBatcher(flush: (events: TurnEvent[]) => void, intervalMs = 16) {
  let queue: TurnEvent[] = [];
  let timer: NodeJS.Timeout | null = null;
  const drain = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (queue.length === 0) return;
    const events = queue;
    queue = [];
    flush(events);
  };
  return {
    push(event: TurnEvent) {
      const last = queue[queue.length - 1];
      if (last && (event.type === 'token' || event.type === 'thinking') && last.type === event.type) {
        queue[queue.length - 1] = { type: event.type, text: last.text + event.text };
      } else {
        queue.push(event);
      }
      if (isTurnEnd(event)) drain();
      else if (!timer) timer = setTimeout(drain, intervalMs);
    },
    drain,
  };
}
