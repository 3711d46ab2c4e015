export { createInMemoryConversationStore, type ConversationStore, type StoredMessage } from './conversation-store';
