import type { AppState } from '../../shared/state';

export const selectConversationList = (s: AppState) => s.conversations.list;
export const selectConversationQuery = (s: AppState) => s.conversations.query;
export const selectConversationsStatus = (s: AppState) => s.conversations.status;
export const selectConversationsError = (s: AppState) => s.conversations.error;
