import { z } from 'zod';
import type { ConversationDetail, ConversationSummary, MemoryEntry, MemoryStatus } from '../memory';
import { method } from '../method';
import { id, noInput } from './ids';

export const conversationsListInput = z
  .strictObject({
    /** Words that must all occur in the title or the messages. */
    query: z.string().max(500).optional(),
    limit: z.number().int().min(1).max(500).optional(),
  })
  .optional();
export const conversationIdInput = z.strictObject({ conversationId: id });
export const conversationsRenameInput = z.strictObject({ conversationId: id, title: z.string().trim().min(1, 'title is empty').max(200) });
const memoryKind = z.enum(['semantic', 'procedural'], { error: "must be 'semantic' (a fact) or 'procedural' (a standing instruction)" });
export const memoryListInput = z.strictObject({ type: memoryKind.optional(), query: z.string().max(1000).optional() }).optional();
export const memoryAddInput = z.strictObject({ type: memoryKind, text: z.string().trim().min(1, 'text is empty').max(2000) });
export const memoryDeleteInput = z.strictObject({ id });

/** Conversations (episodic memory). Handlers: core/memory/memory-methods.ts. */
export const conversationsMethods = {
  'conversations.list': method<ConversationSummary[]>()({ input: conversationsListInput, summary: 'Most recently updated first; with a query, best match first.' }),
  'conversations.get': method<ConversationDetail>()({ input: conversationIdInput, summary: 'Messages with their status, stats, sources and trace ids (not_found for an unknown id).' }),
  'conversations.rename': method<ConversationSummary>()({ input: conversationsRenameInput, summary: 'Renames a conversation.' }),
  'conversations.delete': method<{ deleted: boolean }>()({ input: conversationIdInput, summary: 'Deletes a conversation and its messages.' }),
};

/** Facts (semantic) and standing instructions (procedural). Handlers: core/memory/memory-methods.ts. */
export const memoryMethods = {
  'memory.list': method<MemoryEntry[]>()({ input: memoryListInput, summary: 'Facts and standing instructions; with a query, by similarity and text.' }),
  'memory.add': method<MemoryEntry>()({ input: memoryAddInput, summary: 'Remembers a fact or a standing instruction.' }),
  'memory.delete': method<{ deleted: boolean }>()({ input: memoryDeleteInput, summary: 'Forgets one entry.' }),
  'memory.status': method<MemoryStatus>()({ input: noInput, summary: 'Whether memory is persistent, and why not.' }),
};
