import type { TurnEndEvent, TurnEvent } from '../common/turn';
import { classifyOllamaError, type ChatResponse, type Message, type OllamaClient } from '../llm';
import type { ConversationStore, StoredMessage } from '../memory';
import { startStreamWatchdog } from './stream-watchdog';
import { computeTurnStats } from './turn-stats';

export interface ChatTurnDeps {
  client: OllamaClient;
  conversations: ConversationStore;
  limits: { firstChunkTimeoutMs: number; idleChunkTimeoutMs: number };
  newId: () => string;
  now?: () => number;
  clockIso?: () => string;
}

export interface ChatTurnRequest {
  conversationId: string;
  model: string;
  message: string;
}

/**
 * One chat turn: history + the new message -> Ollama stream -> events -> history.
 * It never throws and never hangs: every ending is one `done` or one `error` event, returned
 * and emitted. `controller` is the turn's own: aborting it stops the turn as "cancelled".
 */
export async function runChatTurn(
  deps: ChatTurnDeps,
  request: ChatTurnRequest,
  emit: (event: TurnEvent) => void,
  controller: AbortController,
): Promise<TurnEndEvent> {
  const now = deps.now ?? (() => performance.now());
  const clockIso = deps.clockIso ?? (() => new Date().toISOString());
  const startedAt = now();
  const watchdog = startStreamWatchdog(controller, deps.limits, now);
  let chunks = 0;
  let firstChunkAt: number | null = null;
  let answer = '';
  let final: ChatResponse | null = null;

  const userMessage: StoredMessage = { id: deps.newId(), role: 'user', content: request.message, createdAt: clockIso() };
  try {
    const history = await deps.conversations.history(request.conversationId);
    const messages: Message[] = [...history, userMessage].map(({ role, content }) => ({ role, content }));
    const stream = await deps.client.chatStream({ model: request.model, messages, signal: controller.signal });
    for await (const chunk of stream) {
      watchdog.touch();
      const thinking = chunk.message?.thinking;
      const content = chunk.message?.content;
      if ((thinking || content) && firstChunkAt === null) firstChunkAt = now();
      if (thinking) emit({ type: 'thinking', text: thinking });
      if (content) {
        chunks++;
        answer += content;
        emit({ type: 'token', text: content });
      }
      if (chunk.done) final = chunk;
    }
    if (!final) throw new Error('Did not receive done or success response in stream.');

    const assistant: StoredMessage = { id: deps.newId(), role: 'assistant', content: answer, createdAt: clockIso() };
    await deps.conversations.append(request.conversationId, [userMessage, assistant]);
    const stats = computeTurnStats(final, {
      model: final.model || request.model,
      ttftSeconds: firstChunkAt === null ? null : (firstChunkAt - startedAt) / 1000,
      wallSeconds: (now() - startedAt) / 1000,
      contextWindow: null,
      traceId: null,
    });
    const done: TurnEndEvent = { type: 'done', conversationId: request.conversationId, messageId: assistant.id, stats };
    emit(done);
    return done;
  } catch (err) {
    const abortReason = watchdog.fired?.reason ?? (controller.signal.aborted ? 'cancelled' : undefined);
    const error = classifyOllamaError(err, {
      host: deps.client.host,
      model: request.model,
      abortReason,
      abortAfterMs: watchdog.fired?.afterMs ?? 0,
      chunksReceived: chunks,
    });
    const event: TurnEndEvent = { type: 'error', code: error.code, message: error.message };
    emit(event);
    return event;
  } finally {
    watchdog.stop();
  }
}
