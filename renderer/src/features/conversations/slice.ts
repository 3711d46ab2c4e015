/** The conversation list of the sidebar and its search query. */
import type { ConversationSummary } from '../../../../core/common';
import { slicePatcher, type LoadStatus, type SetState } from '../../shared/state';

declare module '../../shared/state' {
  interface AppState {
    conversations: ConversationsSlice;
  }
}

export interface ConversationsSlice {
  list: ConversationSummary[];
  query: string;
  status: LoadStatus;
  error: string | null;
  setQuery(query: string): void;
  loading(): void;
  loaded(list: ConversationSummary[]): void;
  failed(message: string): void;
  renamed(summary: ConversationSummary): void;
  removed(conversationId: string): void;
}

export function createConversationsSlice(set: SetState): ConversationsSlice {
  const patch = slicePatcher(set, 'conversations');
  return {
    list: [],
    query: '',
    status: 'idle',
    error: null,
    setQuery: (query) => patch({ query }),
    loading: () => patch({ status: 'loading' }),
    loaded: (list) => patch({ list, status: 'ready', error: null }),
    failed: (message) => patch({ status: 'error', error: message }),
    renamed: (summary) => patch((c) => ({ list: c.list.map((x) => (x.id === summary.id ? summary : x)) })),
    removed: (id) => patch((c) => ({ list: c.list.filter((x) => x.id !== id) })),
  };
}
