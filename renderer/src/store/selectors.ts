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
/** The model the next turn uses: the picked one, else the configured default. */
export const selectCurrentModel = (s: AppState): string | null => s.models.selected ?? s.models.list.find((m) => m.isDefault)?.name ?? null;
export const selectCurrentModelInfo = (s: AppState) => {
  const name = selectCurrentModel(s);
  return name ? (s.models.list.find((m) => m.name === name) ?? null) : null;
};

export const selectConversationList = (s: AppState) => s.conversations.list;
export const selectConversationQuery = (s: AppState) => s.conversations.query;
export const selectConversationsStatus = (s: AppState) => s.conversations.status;
export const selectConversationsError = (s: AppState) => s.conversations.error;

export const selectAlertsState = (s: AppState) => s.alerts.state;
export const selectAlertsError = (s: AppState) => s.alerts.error;
export const selectFiringCount = (s: AppState) => s.alerts.state?.alerts.filter((a) => a.state === 'firing').length ?? 0;

export const selectTrace = (s: AppState) => s.trace;

export const selectKbSources = (s: AppState) => s.kb.sources;
export const selectKbStatus = (s: AppState) => s.kb.status;
export const selectKbError = (s: AppState) => s.kb.error;
export const selectKbJob = (s: AppState) => s.kb.job;
export const selectKbActionError = (s: AppState) => s.kb.actionError;
/** A job is running when it has started and has neither a summary nor an error. */
export const selectKbBusy = (s: AppState) => !!s.kb.job && !s.kb.job.summary && !s.kb.job.error;

export const selectMemory = (s: AppState) => s.memory;
export const selectSettings = (s: AppState) => s.settings;

export const selectView = (s: AppState) => s.ui.view;
export const selectSetView = (s: AppState) => s.ui.setView;
