/** Named selectors of the chat: components subscribe to exactly what they draw. */
import type { AppState } from '../../shared/state';
import type { ChatMessage } from './slice';

export const selectMessages = (s: AppState): ChatMessage[] => s.chat.messages;
export const selectActiveTurnId = (s: AppState) => s.chat.activeTurnId;
export const selectIsTurnRunning = (s: AppState) => s.chat.activeTurnId !== null;
export const selectIsStopping = (s: AppState) => s.chat.stopping;
export const selectBannerError = (s: AppState) => s.chat.error;
export const selectConversationId = (s: AppState) => s.chat.conversationId;
export const selectDismissError = (s: AppState) => s.chat.dismissError;

/** A new turn needs a live event stream (its tokens would be lost otherwise) and no running turn. */
export const selectCanSend = (s: AppState) => s.connection.status === 'open' && s.chat.activeTurnId === null;

export const selectTurnStartedAt = (s: AppState) => s.chat.turnStartedAt;
export const selectLastChunkAt = (s: AppState) => s.chat.lastChunkAt;
/** The newest finished answer with stats (context bar, "current model"). */
export const selectLastStats = (s: AppState) => {
  for (let i = s.chat.messages.length - 1; i >= 0; i--) {
    const stats = s.chat.messages[i]!.stats;
    if (stats) return stats;
  }
  return null;
};

/** The answer judge's scores of one turn, if it was judged this session. */
export const selectScoresOf = (turnId: string) => (s: AppState) => (Object.hasOwn(s.chat.scores, turnId) ? s.chat.scores[turnId]! : null);
