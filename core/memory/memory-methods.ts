import type { MethodHandlers } from '../common/method';
import type { conversationsMethods, memoryMethods } from '../common/methods';
import type { MemoryStore } from './memory-store';

export function conversationsHandlers(deps: { memory: MemoryStore }): MethodHandlers<typeof conversationsMethods> {
  const { memory } = deps;
  return {
    'conversations.list': (input) => memory.listConversations(input ?? {}),
    'conversations.get': (input) => memory.getConversation(input.conversationId),
    'conversations.rename': (input) => memory.renameConversation(input.conversationId, input.title),
    'conversations.delete': (input) => memory.deleteConversation(input.conversationId),
  };
}

export function memoryHandlers(deps: { memory: MemoryStore }): MethodHandlers<typeof memoryMethods> {
  const { memory } = deps;
  return {
    'memory.list': (input) => memory.listMemories(input ?? {}),
    'memory.add': (input) => memory.addMemory(input),
    'memory.delete': (input) => memory.deleteMemory(input.id),
    'memory.status': async () => memory.status(),
  };
}
