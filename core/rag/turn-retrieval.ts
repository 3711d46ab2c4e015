import type { Context } from '@opentelemetry/api';
import type { MessageSource } from '../common/turn';
import type { KnowledgeBase } from './kb-types';

export interface TurnRetrieval {
  /** Sources for a chat turn, or null when the knowledge base is empty (no embedding call then). */
  retrieve(query: string, options: { parent?: Context; signal?: AbortSignal; until?: Promise<unknown> }): Promise<{ sources: MessageSource[]; promptBlock: string } | null>;
  /** The store changed (an ingest ended, a source was removed): check again before the next turn. */
  invalidate(): void;
}

/**
 * Retrieval for chat turns, only when the knowledge base has chunks: an empty one costs no
 * embedding call per turn. "Empty" is re-checked after a while (one timer per check), since an
 * ingest may come from another process (the CLI) that sends no event here.
 */
export function createTurnRetrieval(knowledge: Pick<KnowledgeBase, 'stats' | 'retrieve'>, recheckEmptyMs = 5000): TurnRetrieval {
  let hasChunks: Promise<boolean> | null = null;
  const check = (): Promise<boolean> => {
    const current: Promise<boolean> = knowledge.stats().then(
      (s) => s.chunks > 0,
      () => false,
    );
    void current.then((has) => {
      if (!has) setTimeout(() => hasChunks === current && (hasChunks = null), recheckEmptyMs).unref?.();
    });
    return current;
  };
  return {
    async retrieve(query, options) {
      hasChunks ??= check();
      if (!(await hasChunks)) return null;
      const result = await knowledge.retrieve(query, options);
      return { promptBlock: result.promptBlock, sources: result.sources.map(({ n, path, heading, snippet }) => ({ n, path, heading, snippet })) };
    },
    invalidate() {
      hasChunks = null;
    },
  };
}
