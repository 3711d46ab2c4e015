import { createEventHub, type ContractHandlers } from '../common';
import type { Settings } from '../config';
import { createAgent, createEventBatcher } from '../agent';
import { createHealthMonitor, probeOllama } from '../health';
import { createOllamaClient, listModels } from '../llm';
import { createInMemoryConversationStore } from '../memory';
import type { Core } from './core';

export interface CoreDeps {
  settings: Settings;
  /** Injected so tests can wrap or fake the transport to Ollama. */
  fetch?: typeof fetch;
  /** Where a listener failure or an unexpected condition is reported (a logger later). */
  warn?: (message: string, detail?: unknown) => void;
}

/** Wires the collaborators of one core instance; nothing here is a module-level singleton. */
export function createCore(deps: CoreDeps): Core {
  const { settings } = deps;
  const warn = deps.warn ?? ((message, detail) => console.warn(message, detail ?? ''));
  const events = createEventHub((err) => warn('event listener failed', err));
  const client = createOllamaClient({
    host: settings.ollamaHost,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    onMalformedLine: (line) => warn('Ollama sent a line that is not JSON; skipped it', line),
  });
  const agent = createAgent({
    client,
    conversations: createInMemoryConversationStore(),
    limits: settings.stream,
    defaultModel: () => settings.chatModel,
  });
  const health = createHealthMonitor({
    probeOllama: () => probeOllama(client),
    intervalMs: settings.healthIntervalMs,
    onChange: (state) => events.emit('health', state),
  });

  const handlers: ContractHandlers = {
    async 'chat.send'(input) {
      let ids = { turnId: '', conversationId: '' };
      const batcher = createEventBatcher((batch) => events.emit('chat.event', { ...ids, events: batch }));
      const turn = agent.startTurn(input, (event) => batcher.push(event));
      ids = { turnId: turn.turnId, conversationId: turn.conversationId };
      return ids;
    },
    async 'chat.stop'(input) {
      return { stopped: agent.stop(input.turnId) };
    },
    async 'models.list'() {
      return listModels(client, AbortSignal.timeout(5000));
    },
    async 'health.get'() {
      return health.check();
    },
  };

  let closed: Promise<void> | null = null;
  return {
    handlers,
    events,
    agent,
    close() {
      closed ??= (async () => {
        health.stop();
        await agent.stopAll();
      })();
      return closed;
    },
  };
}
