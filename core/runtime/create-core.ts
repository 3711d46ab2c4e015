import type { Context } from '@opentelemetry/api';
import { createEventHub, type ContractHandlers } from '../common';
import { createAlertsService, loadAlertRules } from '../alerts';
import { createSettingsEditor, testConnection, type Settings } from '../config';
import { createAgent, createEventBatcher } from '../agent';
import { createHealthMonitor, probeOllama } from '../health';
import { createContextWindowResolver, createOllamaClient, listModels } from '../llm';
import { createMemoryMetrics, createMemoryStore, memoryEmbedModel, memoryStoreUri, type MemoryStoreDeps } from '../memory';
import { createKnowledgeBase } from '../rag';
import { createDriftTracker, evalGauges, loadBaseline, recordEvalReport, refreshBaseline, runEval } from '../eval';
import { createTelemetry, type TelemetryDeps } from '../telemetry/create-telemetry';
import { createInstrumentedEmbed } from '../telemetry/embed-telemetry';
import { createLogger, otlpLogSink, type Logger } from '../telemetry/logging';
import { createPiiRedactor } from '../pii';
import { serviceName } from '../common/metric-names';
import { appVersion } from './app-version';
import type { Core } from './core';

export interface CoreDeps {
  settings: Settings;
  /** Injected so tests can wrap or fake the transport to Ollama. */
  fetch?: typeof fetch;
  env?: NodeJS.ProcessEnv;
  /** Also told about a listener failure or an unexpected condition (tests collect them). */
  warn?: (message: string, detail?: unknown) => void;
  /**
   * Where log lines go besides OTLP. Long-running hosts (app, serve) write the rotating file in
   * the data dir; a one-shot CLI command must not (one process rotates it), and its stderr is
   * for the user's one-line reason, so both default to what a long-running host wants.
   */
  logging?: { file?: boolean; stderr?: boolean };
  /** Test seams for the exporters (short timeouts, small queues). */
  telemetry?: Pick<TelemetryDeps, 'exportTimeoutMs' | 'metricIntervalMs' | 'queueCapacity'>;
  /**
   * Whether this core builds the knowledge base's ANN index in the background (default true). The
   * one-shot CLI search turns it off: it would exit before the build ends.
   */
  buildAnnIndex?: boolean;
  /** How often alerts are evaluated or read (Prometheus evaluates every 15-30 s). */
  alertsIntervalMs?: number;
  /** Test seams for memory (flush interval, recall thresholds, a broken or slow facts store). */
  memory?: Pick<MemoryStoreDeps, 'flushIntervalMs' | 'recall' | 'openFactIndex'>;
}

/** Wires the collaborators of one core instance; nothing here is a module-level singleton. */
export function createCore(deps: CoreDeps): Core {
  const { settings } = deps;
  const env = deps.env ?? process.env;
  const redactor = createPiiRedactor({ customPatterns: settings.telemetry.piiPatterns });
  // The logger sends OTLP through the telemetry, and the telemetry logs through the logger.
  let logger: Logger | null = null;
  const warn = (message: string, detail?: unknown) => {
    deps.warn?.(message, detail);
    logger?.warn(message, detail === undefined ? {} : { detail: detail instanceof Error ? detail.message : detail });
  };
  const events = createEventHub((err) => warn('event listener failed', err));
  const telemetry = createTelemetry({
    settings,
    serviceVersion: appVersion,
    env,
    log: (level, message, context, span) => logger?.[level](message, context, span ?? undefined),
    redact: (text) => redactor.redact(text),
    report: (err) => warn('telemetry failed (the chat goes on)', err),
    ...deps.telemetry,
  });
  const rootLogger = createLogger({
    service: { name: serviceName, version: appVersion, environment: env.BRUNO_ENVIRONMENT || 'desktop', instanceId: telemetry.instanceId },
    level: settings.telemetry.logLevel,
    dataDir: settings.dataDir,
    file: deps.logging?.file === false ? false : {},
    stderr: deps.logging?.stderr ?? false,
    redactor,
    ...(settings.telemetry.otlpEndpoint ? { emitOtlp: otlpLogSink(telemetry.otelLogger) } : {}),
  });
  logger = rootLogger.child({ logger: 'core' });
  const client = createOllamaClient({
    host: settings.ollamaHost,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    onMalformedLine: (line) => {
      telemetry.prom.malformedLines.inc();
      warn('Ollama sent a line that is not JSON; skipped it', line);
    },
  });
  const embed = createInstrumentedEmbed({ client, tracer: telemetry.tracer, prom: telemetry.prom, genAi: telemetry.genAi, agentId: settings.telemetry.agentId, report: (err) => warn('telemetry failed (the chat goes on)', err) });
  // Opens its journal and store on first use: creating the core stays synchronous and cheap.
  const memory = createMemoryStore({
    dataDir: settings.dataDir,
    storeUri: memoryStoreUri(settings),
    embed,
    embedModel: () => memoryEmbedModel(settings, env),
    tracer: telemetry.tracer,
    metrics: createMemoryMetrics(telemetry.registry, (err) => warn('telemetry failed (the chat goes on)', err)),
    logger: rootLogger.child({ logger: 'memory' }),
    warn,
    onChange: (change) => events.emit('conversations', change),
    ...deps.memory,
  });
  // Embedding drift: recent query embeddings against the baseline taken at ingestion.
  const reportTelemetry = (err: unknown) => warn('telemetry failed (the chat goes on)', err);
  const drift = createDriftTracker({ registry: telemetry.registry, model: settings.knowledge.embedModel, baseline: (version) => loadBaseline(settings.dataDir, version), report: reportTelemetry });
  // Opens LanceDB on first use, like memory; a broken store fails its own calls, never the chat.
  const knowledge = createKnowledgeBase({
    onQueryEmbedding: (vector) => drift.observe(vector),
    // Reads every vector: in the background, never in the way of the ingest that triggered it.
    onIngested: () =>
      void refreshBaseline({ storeUri: settings.knowledge.storeUri, model: settings.knowledge.embedModel, dataDir: settings.dataDir }).then(
        () => drift.reloadBaseline(),
        reportTelemetry,
      ),
    settings: settings.knowledge,
    embed,
    tracer: telemetry.tracer,
    registry: telemetry.registry,
    logger: rootLogger,
    report: (err) => warn('telemetry failed (the chat goes on)', err),
    emit: (event) => events.emit('kb.progress', event),
    buildAnnIndex: deps.buildAnnIndex ?? true,
  });
  // Retrieval only when the knowledge base has chunks: an empty one costs no embedding call per turn.
  let kbHasChunks: Promise<boolean> | null = null;
  events.on('kb.progress', (event) => {
    if (event.type === 'done' || event.type === 'error') kbHasChunks = null;
  });
  const checkKbHasChunks = (): Promise<boolean> => {
    const check: Promise<boolean> = knowledge.stats().then(
      (s) => s.chunks > 0,
      () => false,
    );
    // "Empty" is re-checked after a while (one timer per check): an ingest may come from another
    // process (the CLI) that sends no event here.
    void check.then((has) => {
      if (!has) setTimeout(() => kbHasChunks === check && (kbHasChunks = null), 5000).unref?.();
    });
    return check;
  };
  const retrieve = async (query: string, options: { parent?: Context; signal?: AbortSignal }) => {
    kbHasChunks ??= checkKbHasChunks();
    if (!(await kbHasChunks)) return null;
    const result = await knowledge.retrieve(query, options);
    return { promptBlock: result.promptBlock, sources: result.sources.map(({ n, path, heading, snippet }) => ({ n, path, heading, snippet })) };
  };
  const agent = createAgent({
    client,
    retrieve,
    warn,
    conversations: memory.conversations,
    memory,
    limits: settings.stream,
    defaultModel: () => settings.chatModel,
    contextWindows: createContextWindowResolver(client),
    telemetry: telemetry.turns,
    onSample: (sample) => events.emit('turn.sample', sample),
  });
  // Alerts from the shipped rule files: evaluated in-process, or read from Prometheus/Alertmanager.
  const rules = loadAlertRules();
  const alerts = createAlertsService({
    registry: telemetry.registry,
    rules: rules.local,
    remoteOnlyRules: rules.remoteOnly,
    shippedRules: [...rules.local.map((r) => r.name), ...rules.remoteOnly],
    prometheusUrl: settings.prometheusUrl,
    alertmanagerUrl: settings.alertmanagerUrl,
    intervalMs: deps.alertsIntervalMs ?? 15_000,
    onChange: (state) => {
      events.emit('alerts', state);
      void health.check().catch(() => {});
    },
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const health = createHealthMonitor({
    probeOllama: () => probeOllama(client),
    exportHealth: () => telemetry.exportHealth(),
    alerts: () => ({ summary: alerts.summary(), ...alerts.services(), error: alerts.state().error }),
    intervalMs: settings.healthIntervalMs,
    onChange: (state) => events.emit('health', state),
  });

  const settingsEditor = createSettingsEditor({ settings, env });
  const savedUrlOf = (target: 'ollama' | 'otlp' | 'grafana' | 'prometheus' | 'alertmanager'): string | null =>
    ({ ollama: settings.ollamaHost, otlp: settings.telemetry.otlpEndpoint, grafana: settings.grafana.url, prometheus: settings.prometheusUrl, alertmanager: settings.alertmanagerUrl })[target];

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
    async 'alerts.list'() {
      return alerts.refresh();
    },
    async 'conversations.list'(input) {
      return memory.listConversations(input ?? {});
    },
    async 'conversations.get'(input) {
      return memory.getConversation(input.conversationId);
    },
    async 'conversations.rename'(input) {
      return memory.renameConversation(input.conversationId, input.title);
    },
    async 'conversations.delete'(input) {
      return memory.deleteConversation(input.conversationId);
    },
    async 'memory.list'(input) {
      return memory.listMemories(input ?? {});
    },
    async 'memory.add'(input) {
      return memory.addMemory(input);
    },
    async 'memory.delete'(input) {
      return memory.deleteMemory(input.id);
    },
    async 'memory.status'() {
      return memory.status();
    },
    async 'kb.ingest'(input) {
      return knowledge.startIngest(input.paths);
    },
    async 'kb.reingest'(input) {
      return knowledge.startReingest(input?.sourceId);
    },
    async 'kb.sources'() {
      return knowledge.sources();
    },
    async 'kb.remove'(input) {
      kbHasChunks = null;
      return knowledge.remove('sourceId' in input ? { sourceId: input.sourceId } : { path: input.path });
    },
    async 'kb.eval'(input) {
      const report = await runEval(
        knowledge,
        input.queries.map((q, i) => ({ ...q, line: i + 1 })),
        { ...(input.k ? { depth: input.k } : {}), ...(input.fusion ? { fusion: input.fusion } : {}) },
      );
      recordEvalReport(evalGauges(telemetry.registry), report);
      return {
        queries: report.queries,
        embeddingVersion: report.embeddingVersion,
        fusion: report.fusion ?? settings.knowledge.fusion,
        modes: report.modes.map((m) => ({ mode: m.mode, mrr: m.mrr, hitRate: Object.fromEntries(Object.entries(m.hitRate).map(([k, v]) => [String(k), v])), ndcg: m.ndcg })),
        unresolvedLabels: report.unresolvedLabels.map((u) => u.label),
      };
    },
    async 'settings.get'() {
      return settingsEditor.view();
    },
    async 'settings.update'(input) {
      return settingsEditor.update(input.patch);
    },
    async 'settings.test'(input) {
      const url = input.url ?? savedUrlOf(input.target);
      if (!url) return { target: input.target, url: '', ok: false, message: `No ${input.target} address is set`, latencyMs: null };
      return testConnection(input.target, url, deps.fetch);
    },
    async 'kb.search'(input) {
      return knowledge.search(input.query, { ...(input.mode ? { mode: input.mode } : {}), ...(input.fusion ? { fusion: input.fusion } : {}), ...(input.k ? { k: input.k } : {}) });
    },
  };

  let closed: Promise<void> | null = null;
  return {
    handlers,
    events,
    agent,
    embed,
    memory,
    knowledge,
    telemetry,
    logger: rootLogger,
    close() {
      closed ??= (async () => {
        health.stop();
        alerts.stop();
        await agent.stopAll();
        await memory.close();
        await knowledge.close();
        await telemetry.shutdown();
        await rootLogger.close();
      })();
      return closed;
    },
  };
}
