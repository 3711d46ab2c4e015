/** Named selectors: components subscribe to exactly what they draw. */
import type { AppState, ChatMessage } from './types';

export const selectMessages = (s: AppState): ChatMessage[] => s.chat.messages;
export const selectActiveTurnId = (s: AppState) => s.chat.activeTurnId;
export const selectIsTurnRunning = (s: AppState) => s.chat.activeTurnId !== null;
export const selectIsStopping = (s: AppState) => s.chat.stopping;
export const selectBannerError = (s: AppState) => s.chat.error;
export const selectConversationId = (s: AppState) => s.chat.conversationId;
export const selectDismissError = (s: AppState) => s.chat.dismissError;

export const selectModelList = (s: AppState) => s.models.list;
export const selectSelectedModel = (s: AppState) => s.models.selected;
export const selectModelsStatus = (s: AppState) => s.models.status;
export const selectModelsError = (s: AppState) => s.models.error;
export const selectSelectModel = (s: AppState) => s.models.select;

export const selectHealth = (s: AppState) => s.health.state;

export const selectConnectionStatus = (s: AppState) => s.connection.status;
export const selectConnectionDetail = (s: AppState) => s.connection.detail;
export const selectConnectionRetryMs = (s: AppState) => s.connection.retryInMs;

/** A new turn needs a live event stream (its tokens would be lost otherwise) and no running turn. */
export const selectCanSend = (s: AppState) => s.connection.status === 'open' && s.chat.activeTurnId === null;
