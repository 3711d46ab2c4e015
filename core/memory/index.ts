export {
  createInMemoryConversationStore,
  type ConversationStore,
  type StoredMessage,
  type TurnBegin,
  type TurnOutcome,
  type TurnRecorder,
} from './conversation-store';
export { detectMemories, type DetectedMemory } from './detect';
export { createMemoryMetrics, noopMemoryMetrics, type MemoryMetrics, type MemoryOperation } from './memory-metrics';
export {
  buildMemorySystemMessage,
  createMemoryStore,
  memoryJournalPath,
  memoryRecallSpanName,
  type MemoryStore,
  type MemoryStoreDeps,
  type RecallInput,
  type RecallResult,
  type TurnMemory,
} from './memory-store';
export { conversationsHandlers, memoryHandlers } from './memory-methods';
