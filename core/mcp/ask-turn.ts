/**
 * A whole chat turn through the contract, as an MCP tool call needs it: `chat.send` with a turn id
 * chosen here, the `chat.event` batches of that turn collected until its end, `chat.stop` when
 * the MCP client cancels.
 */
import { randomUUID } from 'node:crypto';
import { invokeMethod, type ContractHandlers } from '../common/contract';
import type { EventHub } from '../common/emitter';
import type { MethodContext } from '../common/method';
import type { TurnEndEvent } from '../common/turn';

export interface AskInput {
  question: string;
  conversationId?: string | undefined;
  model?: string | undefined;
}

export interface AskOutcome {
  answer: string;
  end: TurnEndEvent;
  conversationId: string;
}

export async function askThroughContract(deps: { handlers: ContractHandlers; events: EventHub }, input: AskInput, signal: AbortSignal, context: MethodContext): Promise<AskOutcome> {
  const turnId = `mcp-${randomUUID()}`;
  let answer = '';
  let resolveEnd: (end: TurnEndEvent) => void = () => {};
  const ended = new Promise<TurnEndEvent>((resolve) => (resolveEnd = resolve));
  // Subscribed before the turn starts, so its first batch cannot be missed.
  const unsubscribe = deps.events.on('chat.event', (batch) => {
    if (batch.turnId !== turnId) return;
    for (const event of batch.events) {
      if (event.type === 'token') answer += event.text;
      else if (event.type === 'done' || event.type === 'error') resolveEnd(event);
    }
  });
  const stop = () => void invokeMethod(deps.handlers, 'chat.stop', { turnId }, context).catch(() => {});
  try {
    const accepted = (await invokeMethod(
      deps.handlers,
      'chat.send',
      { message: input.question, turnId, ...(input.conversationId ? { conversationId: input.conversationId } : {}), ...(input.model ? { model: input.model } : {}) },
      context,
    )) as { conversationId: string };
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) stop();
    const end = await ended;
    return { answer, end, conversationId: accepted.conversationId };
  } finally {
    signal.removeEventListener('abort', stop);
    unsubscribe();
  }
}
