/** One message of a conversation, as the model sees it. */
export interface StoredMessage {
  id: string;
  role: 'user' | 'assistant' | 'system';
  content: string;
  createdAt: string;
}

/**
 * Conversation history by conversation id. In memory for now; the persistent (episodic memory)
 * store implements the same interface so the agent does not change when it lands.
 */
export interface ConversationStore {
  history(conversationId: string): Promise<StoredMessage[]>;
  append(conversationId: string, messages: StoredMessage[]): Promise<void>;
}

export function createInMemoryConversationStore(): ConversationStore {
  const conversations = new Map<string, StoredMessage[]>();
  return {
    async history(conversationId) {
      return [...(conversations.get(conversationId) ?? [])];
    },
    async append(conversationId, messages) {
      const list = conversations.get(conversationId) ?? [];
      list.push(...messages);
      conversations.set(conversationId, list);
    },
  };
}
