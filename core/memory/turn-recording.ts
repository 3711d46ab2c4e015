import type { ConversationsChanged } from '../common/memory';
import type { ConversationStore, TurnRecorder } from './conversation-store';
import type { JournalRecord } from './journal';
import type { JournalPersistence } from './journal-persistence';
import type { MemoryMetrics } from './memory-metrics';
import { historyOf, titleFrom } from './memory-state';

export interface TurnRecordingDeps {
  persistence: JournalPersistence;
  metrics: MemoryMetrics;
  /** How often a streaming answer is flushed to the journal. */
  flushIntervalMs: number;
  clockIso: () => string;
  changed: (conversationId: string, change: ConversationsChanged['change']) => void;
}

/** The episodic side of a chat turn: its history, and the journal records of the turn as it runs. */
export function createTurnRecording(deps: TurnRecordingDeps): ConversationStore {
  const { persistence, metrics, flushIntervalMs, clockIso, changed } = deps;
  return {
    async history(conversationId) {
      const opened = await persistence.open();
      metrics.operation('read', 'episodic');
      return historyOf(await opened.catalog.read(conversationId));
    },
    async beginTurn(turn) {
      const opened = await persistence.open();
      const at = turn.user.createdAt;
      const records: JournalRecord[] = [];
      if (!opened.catalog.has(turn.conversationId)) records.push({ t: 'conv', c: turn.conversationId, title: titleFrom(turn.user.content), at });
      records.push({ t: 'msg', c: turn.conversationId, id: turn.user.id, turnId: turn.turnId, content: turn.user.content, model: turn.model, at });
      // Written before any of the answer is read (the turn calls this as its request leaves), so a
      // crash from here on still shows the question; the disk sync follows within the journal's
      // sync interval, off the turn's path.
      await persistence.persist(opened, records, 'background');
      metrics.operation('write', 'episodic');
      changed(turn.conversationId, 'updated');

      let latest = '';
      let flushed = 0;
      let assistantId: string | null = null;
      let cancelFlush: (() => void) | null = null;
      let first = true;
      let ended = false;
      const flush = () => {
        cancelFlush = null;
        if (ended || !assistantId || latest.length <= flushed) return;
        const text = latest.slice(flushed);
        flushed = latest.length;
        void persistence.persist(opened, [{ t: 'delta', c: turn.conversationId, id: assistantId, turnId: turn.turnId, text, at: clockIso() }], 'none');
      };
      const recorder: TurnRecorder = {
        // Called per network read, before the tokens are emitted: it only schedules. The first
        // content is written on the next turn of the event loop (after the turn has emitted it, so
        // the first token reaches the UI without waiting for the disk); later content within
        // flushIntervalMs of its arrival. A kill -9 thus loses at most the last interval's text.
        progress(answer, id) {
          latest = answer;
          assistantId = id;
          if (cancelFlush || ended) return;
          if (first) {
            first = false;
            const immediate = setImmediate(flush);
            cancelFlush = () => clearImmediate(immediate);
            return;
          }
          const timer = setTimeout(flush, flushIntervalMs);
          timer.unref?.();
          cancelFlush = () => clearTimeout(timer);
        },
        async end(outcome) {
          ended = true;
          cancelFlush?.();
          // The state changes now (the next turn and the UI see it); the disk sync may finish later.
          const written = persistence.persist(
            opened,
            [
              {
                t: 'end',
                c: turn.conversationId,
                id: outcome.assistantId,
                turnId: turn.turnId,
                status: outcome.status,
                content: outcome.answer,
                model: outcome.model,
                stats: outcome.stats as unknown as Record<string, unknown> | null,
                sources: outcome.sources,
                traceId: outcome.traceId,
                error: outcome.error,
                ...(outcome.toolCalls?.length ? { tools: outcome.toolCalls } : {}),
                at: clockIso(),
              },
            ],
            'wait',
          );
          metrics.operation('write', 'episodic');
          changed(turn.conversationId, 'updated');
          await written;
        },
      };
      return recorder;
    },
  };
}
