import { z } from 'zod';
import { method } from '../method';
import { id } from './ids';

export const chatSendInput = z.strictObject({
  message: z.string().trim().min(1, 'message is empty').max(200_000),
  conversationId: id.optional(),
  model: z.string().min(1).max(200).optional(),
  /** Chosen by the caller so it can match events and stop the turn before the reply arrives. */
  turnId: id.optional(),
  /**
   * Whether a person is there to answer `chat.approve` for tools whose policy is 'ask'. Default
   * true for chat.send (the app's UI sends it); the public POST /api/v1/chat defaults to false.
   * Without it, such calls are refused at once with a result the model reads.
   */
  canApprove: z.boolean().optional(),
});
export type ChatSendInput = z.infer<typeof chatSendInput>;

export const chatStopInput = z.strictObject({ turnId: id });
export type ChatStopInput = z.infer<typeof chatStopInput>;

export const chatApproveInput = z.strictObject({
  turnId: id,
  /** The `id` of the tool call in its `tool` event (status awaiting_approval). */
  callId: z.string().min(1).max(100),
  allow: z.boolean(),
});
export type ChatApproveInput = z.infer<typeof chatApproveInput>;

export interface ChatSendAccepted {
  turnId: string;
  conversationId: string;
}

/** Handlers: core/agent/chat-methods.ts. */
export const chatMethods = {
  'chat.send': method<ChatSendAccepted>()({ input: chatSendInput, summary: 'Starts a chat turn; its tokens and end arrive as chat.event batches.' }),
  'chat.approve': method<{ accepted: boolean }>()({ input: chatApproveInput, summary: 'Runs (allow) or denies a tool call that waits for approval; accepted is false when no such call waits.' }),
  'chat.stop': method<{ stopped: boolean }>()({ input: chatStopInput, summary: 'Stops a running turn (its answer so far stays, marked stopped).' }),
};
