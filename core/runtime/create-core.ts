import { createEventHub, type ContractHandlers } from '../common';
import type { Settings } from '../config';
import { createAgent, createEventBatcher } from '../agent';
import { createHealthMonitor, probeOllama } from '../health';
import { createContextWindowResolver, createOllamaClient, listModels } from '../llm';
import { createInMemoryConversationStore } from '../memory';
import { createTelemetry, type TelemetryDeps } from '../telemetry/create-telemetry';
import type { TelemetryLog } from '../telemetry/turn-telemetry';
import { appVersion } from './app-version';
import type { Core } from './core';

export interface CoreDeps {
  settings: Settings;
  /** Injected so tests can wrap or fake the transport to Ollama. */
  fetch?: typeof fetch;
  env?: NodeJS.ProcessEnv;
  /** Where a listener failure or an unexpected condition is reported. */
  warn?: (message: string, detail?: unknown) => void;
  /** The structured logger's entry point (pino + PII redaction + OTLP logs). */
  log?: TelemetryLog;
  redact?: (text: string) => string;
  /** Test seams for the exporters (short timeouts, small queues). */
  telemetry?: Pick<TelemetryDeps, 'exportTimeoutMs' | 'metricIntervalMs' | 'queueCapacity'>;
}

/** Wires the collaborators of one core instance; nothing here is a module-level singleton. */
export function createCore(deps: CoreDeps): Core {
  const { settings } = deps;
  const warn = deps.warn ?? ((message, detail) => console.warn(message, detail ?? ''));
  const events = createEventHub((err) => warn('event listener failed', err));
  const telemetry = createTelemetry({
    settings,
    serviceVersion: appVersion,
    env: deps.env ?? process.env,
    log: deps.log ?? (() => {}),
    redact: deps.redact ?? ((text) => text),
    report: (err) => warn('telemetry failed (the chat goes on)', err),
    ...deps.telemetry,
  });
  const client = createOllamaClient({
    host: settings.ollamaHost,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    onMalformedLine: (line) => {
      telemetry.prom.malformedLines.inc();
      warn('Ollama sent a line that is not JSON; skipped it', line);
    },
  });
  const agent = createAgent({
    client,
    conversations: createInMemoryConversationStore(),
    limits: settings.stream,
    defaultModel: () => settings.chatModel,
    contextWindows: createContextWindowResolver(client),
    telemetry: telemetry.turns,
    onSample: (sample) => events.emit('turn.sample', sample),
  });
  const health = createHealthMonitor({
    probeOllama: () => probeOllama(client),
    exportHealth: () => telemetry.exportHealth(),
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
      return listModels(client, settings.chatModel, AbortSignal.timeout(5000));
    },
    async 'health.get'() {
      return health.check();
    },
    async 'traces.get'(input) {
      return telemetry.spans(input.traceId);
    },
  };

  let closed: Promise<void> | null = null;
  return {
    handlers,
    events,
    agent,
    telemetry,
    close() {
      closed ??= (async () => {
        health.stop();
        await agent.stopAll();
        await telemetry.shutdown();
      })();
      return closed;
    },
  };
}
