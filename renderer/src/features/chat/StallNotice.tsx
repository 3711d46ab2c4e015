import { useEffect, useState } from 'react';
import { useAppStore, useActions } from '../../shared/context';

/** No chunk for this long while streaming = stalled (a slow stream still sends chunks). */
export const STALL_AFTER_MS = 3000;
const SLOW_TOKENS_PER_SECOND = 5;

type Notice = { kind: 'waiting' | 'stalled' | 'slow' | 'tool'; text: string } | null;

/**
 * Tells a stalled stream from a slow one, which other chat UIs show identically: "stalled for
 * Ns" when no chunk has arrived for a few seconds, "streaming slowly" while chunks still come at
 * a low rate, "waiting for the first token" before the first one (a model may be loading).
 * Ticks twice a second, only while its answer streams.
 */
export function StallNotice() {
  const store = useAppStore();
  const { live } = useActions();
  const [notice, setNotice] = useState<Notice>(null);
  useEffect(() => {
    const tick = () => {
      const { turnStartedAt, lastChunkAt, activeTurnId, messages } = store.getState().chat;
      const now = Date.now();
      let next: Notice = null;
      // While a tool waits for the user or runs, no token is due: say what the turn waits for.
      const calls = messages.find((m) => m.role === 'assistant' && m.turnId === activeTurnId)?.toolCalls ?? [];
      const pending = calls.find((c) => c.status === 'awaiting_approval') ?? calls.find((c) => c.status === 'running');
      if (pending) {
        next = { kind: 'tool', text: pending.status === 'awaiting_approval' ? `Waiting for you: Run or Deny ${pending.name}` : `Running ${pending.name}…` };
      } else if (lastChunkAt === null) {
        const waited = turnStartedAt === null ? 0 : now - turnStartedAt;
        if (waited >= STALL_AFTER_MS) next = { kind: 'waiting', text: `Waiting for the first token for ${Math.floor(waited / 1000)} s (the model may be loading)` };
      } else if (now - lastChunkAt >= STALL_AFTER_MS) {
        next = { kind: 'stalled', text: `Stalled for ${Math.floor((now - lastChunkAt) / 1000)} s: no token has arrived since` };
      } else {
        const tps = live.latest()?.tokensPerSecond ?? null;
        if (tps !== null && tps < SLOW_TOKENS_PER_SECOND) next = { kind: 'slow', text: `Streaming slowly: ${tps.toFixed(1)} tok/s` };
      }
      setNotice((prev) => (prev?.text === next?.text ? prev : next));
    };
    tick();
    const timer = setInterval(tick, 500);
    return () => clearInterval(timer);
  }, [store, live]);
  if (!notice) return null;
  return (
    <div className={`stall stall-${notice.kind}`} data-testid={`${notice.kind}-notice`} role="status">
      {notice.text}
    </div>
  );
}
