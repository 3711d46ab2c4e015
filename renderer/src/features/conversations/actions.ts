/** The sidebar's conversations: list and search (latest answer wins), rename, delete, live changes. */
import type { Bridge, ConversationsChanged } from '../../../../core/common';
import { latestWins, request } from '../../shared/latest';
import type { AppStore } from '../../shared/state';

declare module '../../shared/state' {
  interface AppActions extends ConversationsActions {}
}

export interface ConversationsActions {
  refreshConversations(): Promise<void>;
  searchConversations(query: string): Promise<void>;
  renameConversation(conversationId: string, title: string): Promise<boolean>;
  deleteConversation(conversationId: string): Promise<void>;
  conversationsChanged(change: ConversationsChanged): void;
}

export function createConversationsActions({ store, bridge }: { store: AppStore; bridge: Bridge }): ConversationsActions {
  const get = store.getState;
  // An older search that answers late must not replace a newer one.
  const listLane = latestWins();
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  const failed = (message: string) => get().conversations.failed(message);

  const actions: ConversationsActions = {
    async refreshConversations() {
      const query = get().conversations.query.trim();
      get().conversations.loading();
      await listLane(() => bridge.invoke('conversations.list', query ? { query, limit: 200 } : { limit: 200 }), {
        done: (list) => get().conversations.loaded(list),
        failed,
      });
    },

    async searchConversations(query) {
      get().conversations.setQuery(query);
      await actions.refreshConversations();
    },

    renameConversation: (conversationId, title) =>
      request(() => bridge.invoke('conversations.rename', { conversationId, title }), {
        done: (summary) => get().conversations.renamed(summary),
        failed,
      }),

    async deleteConversation(conversationId) {
      await request(() => bridge.invoke('conversations.delete', { conversationId }), {
        done: () => {
          get().conversations.removed(conversationId);
          if (get().chat.conversationId === conversationId) get().chat.newConversation();
        },
        failed,
      });
    },

    conversationsChanged(change) {
      if (change.change === 'deleted') get().conversations.removed(change.conversationId);
      // Turn begin/end, renames from elsewhere: one refresh for a burst of changes.
      if (refreshTimer) return;
      refreshTimer = setTimeout(() => {
        refreshTimer = null;
        void actions.refreshConversations();
      }, 250);
    },
  };
  return actions;
}
