import type { EventHub } from '../common/emitter';
import type { MethodHandlers } from '../common/method';
import type { chatMethods } from '../common/methods';
import type { Agent } from './agent';
import { createEventBatcher } from './event-batcher';

/** chat.*: a turn's events go out as `chat.event` batches, never one message per token. */
export function chatHandlers(deps: { agent: Agent; events: EventHub }): MethodHandlers<typeof chatMethods> {
  return {
    async 'chat.send'(input, context) {
      let ids = { turnId: '', conversationId: '' };
      const batcher = createEventBatcher((batch) => deps.events.emit('chat.event', { ...ids, events: batch }));
      // The app's UI sends chat.send and shows Run / Deny; a caller without a person says so.
      const turn = deps.agent.startTurn({ ...input, canApprove: input.canApprove ?? true, ...(context?.trace ? { trace: context.trace } : {}) }, (event) => batcher.push(event));
      ids = { turnId: turn.turnId, conversationId: turn.conversationId };
      return ids;
    },
    async 'chat.approve'(input) {
      return { accepted: deps.agent.approve(input.turnId, input.callId, input.allow) };
    },
    async 'chat.stop'(input) {
      return { stopped: deps.agent.stop(input.turnId) };
    },
  };
}
