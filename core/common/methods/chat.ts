import { z } from 'zod';
import { method } from '../method';
import { id } from './ids';

export const chatSendInput = z.strictObject({
  message: z.string().trim().min(1, 'message is empty').max(200_000),
  conversationId: id.optional(),
  model: z.string().min(1).max(200).optional(),
  /** Chosen by the caller so it can match events and stop the turn before the reply arrives. */
  turnId: id.optional(),
});
export type ChatSendInput = z.infer<typeof chatSendInput>;

export const chatStopInput = z.strictObject({ turnId: id });
export type ChatStopInput = z.infer<typeof chatStopInput>;

export interface ChatSendAccepted {
  turnId: string;
  conversationId: string;
}

/** Handlers: core/agent/chat-methods.ts. */
export const chatMethods = {
  'chat.send': method<ChatSendAccepted>()({ input: chatSendInput, summary: 'Starts a chat turn; its tokens and end arrive as chat.event batches.' }),
  'chat.stop': method<{ stopped: boolean }>()({ input: chatStopInput, summary: 'Stops a running turn (its answer so far stays, marked stopped).' }),
};
