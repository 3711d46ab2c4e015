import { createEventHub, type ContractHandlers } from '../common';
import { alertsHandlers, createAlertsService, loadAlertRules } from '../alerts';
import { createSettingsEditor, createSettingsStore, settingsHandlers, type Settings } from '../config';
import { chatHandlers, createAgent } from '../agent';
import { createHealthMonitor, healthHandlers, probeOllama } from '../health';
import { createContextWindowResolver, createModelCapabilities, createOllamaClient, modelsHandlers } from '../llm';
import { conversationsHandlers, createMemoryMetrics, createMemoryStore, memoryHandlers, type MemoryStoreDeps } from '../memory';
import { createKnowledgeBase, createTurnRetrieval, kbHandlers } from '../rag';
import { createAnswerJudge, createDriftTracker, createEvalRunner, createJudgeTelemetry, createQueryDriftStore, createQueryDriftTracker, evalGauges, evalHandlers, loadBaseline, refreshBaseline, type AnswerJudgeDeps } from '../eval';
import { createTelemetry, tracesHandlers, type TelemetryDeps } from '../telemetry';
import { createInstrumentedEmbed } from '../telemetry/embed-telemetry';
import { createLogger, otlpLogSink, type Logger } from '../telemetry/logging';
import { createAuditLog } from '../telemetry/audit-log';
import { auditedHandlers } from './audited-handlers';
import { createPiiRedactor } from '../pii';
import { createBuiltinTools, createMcpTools, createToolRegistry, toolsHandlers, type McpTiming, type McpTools } from '../tools';
import { serviceName } from '../common/metric-names';
import { appVersion } from './app-version';
import type { Core } from './core';

export interface CoreDeps {
  /** The settings at start; the core keeps them in a store (`core.settings`) for live changes. */
  settings: Settings;
  /** Injected so tests can wrap or fake the transport to Ollama. */
  fetch?: typeof fetch;
  /**
   * The environment `settings` were loaded from (config reads it; the core does not): the settings
   * editor shows which fields it pins (none without it). Everything else comes from `settings`.
   */
  env?: Readonly<Record<string, string | undefined>>;
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
  /**
   * Whether the configured evaluation set runs in the background (after ingestion, on its
   * schedule); default true. One-shot CLI commands turn it off: they would exit before it ends.
   */
  backgroundEval?: boolean;
  /** Test seams for memory (flush interval, recall thresholds, a broken or slow facts store). */
  memory?: Pick<MemoryStoreDeps, 'flushIntervalMs' | 'recall' | 'openFactIndex'>;
  /**
   * The MCP servers of settings `mcpServers` (core/tools/mcp). `clients: false` starts none: the
   * one-shot CLI commands that offer no tools, and `agent-bruno mcp` (Bruno as an MCP server
   * running its own MCP servers could start itself again, without end).
   */
  mcp?: { clients?: boolean; timing?: Partial<McpTiming> };
  /**
   * The answer judge: `enabled: false` judges nothing whatever `judge.sampleRate` says (one-shot
   * CLI commands: they exit before a judge could end). Plus test seams (a short timeout, a dice).
   */
  judge?: { enabled?: boolean } & Pick<AnswerJudgeDeps, 'timeoutMs' | 'random'>;
}

/** Wires the collaborators of one core instance; nothing here is a module-level singleton. */
export function createCore(deps: CoreDeps): Core {
  // The logger sends OTLP through the telemetry, and the telemetry logs through the logger.
  let logger: Logger | null = null;
  const warn = (message: string, detail?: unknown) => {
    deps.warn?.(message, detail);
    logger?.warn(message, detail === undefined ? {} : { detail: detail instanceof Error ? detail.message : detail });
  };
  /** The one sink of "telemetry failed": it costs a warning, never the feature it observes. */
  const reportTelemetry = (err: unknown) => warn('telemetry failed (the chat goes on)', err);
  const store = createSettingsStore(deps.settings, (err) => warn('a settings listener failed', err));
  // Read once: what is not live (store.get() at each use below) needs a restart to change.
  const settings = store.get();
  const redactor = createPiiRedactor({ customPatterns: settings.telemetry.piiPatterns });
  const events = createEventHub((err) => warn('event listener failed', err));
  const telemetry = createTelemetry({
    settings: store,
    serviceVersion: appVersion,
    log: (level, message, context, span) => logger?.[level](message, context, span ?? undefined),
    redact: (text) => redactor.redact(text),
    report: reportTelemetry,
    ...deps.telemetry,
  });
  const rootLogger = createLogger({
    service: { name: serviceName, version: appVersion, environment: settings.telemetry.environment, instanceId: telemetry.instanceId },
    level: settings.telemetry.logLevel,
    dataDir: settings.dataDir,
    file: deps.logging?.file === false ? false : {},
    stderr: deps.logging?.stderr ?? false,
    redactor,
    ...(settings.telemetry.otlpEndpoint ? { emitOtlp: otlpLogSink(telemetry.otelLogger) } : {}),
  });
  logger = rootLogger.child({ logger: 'core' });
  const audit = createAuditLog(rootLogger);
  const client = createOllamaClient({
    host: settings.ollamaHost,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    onMalformedLine: (line) => {
      telemetry.prom.malformedLines.inc();
      warn('Ollama sent a line that is not JSON; skipped it', line);
    },
  });
  const embed = createInstrumentedEmbed({ client, tracer: telemetry.tracer, prom: telemetry.prom, genAi: telemetry.genAi, agentId: settings.telemetry.agentId, report: reportTelemetry });
  // Opens its journal and store on first use: creating the core stays synchronous and cheap.
  const memory = createMemoryStore({
    dataDir: settings.dataDir,
    storeUri: settings.knowledge.storeUri,
    embed,
    embedModel: () => settings.knowledge.embedModel,
    tracer: telemetry.tracer,
    metrics: createMemoryMetrics(telemetry.registry, reportTelemetry),
    logger: rootLogger.child({ logger: 'memory' }),
    warn,
    onChange: (change) => events.emit('conversations', change),
    ...deps.memory,
  });
  // Embedding drift: recent query embeddings against the baseline taken at ingestion.
  const drift = createDriftTracker({ registry: telemetry.registry, model: settings.knowledge.embedModel, baseline: (version) => loadBaseline(settings.dataDir, version), report: reportTelemetry });
  // Query distribution drift: recent queries against the first ones, by similarity to the documents.
  const queryDriftStore = createQueryDriftStore(settings.dataDir);
  const queryDrift = createQueryDriftTracker({ registry: telemetry.registry, model: settings.knowledge.embedModel, baseline: (version) => loadBaseline(settings.dataDir, version), store: queryDriftStore, report: reportTelemetry });
  // Set below: the runner needs the knowledge base, the knowledge base tells it about ingestions.
  let evalRunner: ReturnType<typeof createEvalRunner> | null = null;
  // Opens LanceDB on first use, like memory; a broken store fails its own calls, never the chat.
  const knowledge = createKnowledgeBase({
    onQueryEmbedding: (vector) => {
      drift.observe(vector);
      queryDrift.observe(vector);
    },
    // Reads every vector: in the background, never in the way of the ingest that triggered it.
    onIngested: () => {
      void refreshBaseline({ storeUri: settings.knowledge.storeUri, model: settings.knowledge.embedModel, dataDir: settings.dataDir }).then(
        () => drift.reloadBaseline(),
        reportTelemetry,
      );
      evalRunner?.afterIngest();
    },
    settings: settings.knowledge,
    dataDir: settings.dataDir,
    embed,
    tracer: telemetry.tracer,
    registry: telemetry.registry,
    logger: rootLogger,
    report: reportTelemetry,
    slowRetrievalMs: () => store.get().telemetry.slowRetrievalMs,
    emit: (event) => events.emit('kb.progress', event),
    buildAnnIndex: deps.buildAnnIndex ?? true,
  });
  const evalLogger = rootLogger.child({ logger: 'eval' });
  evalRunner = createEvalRunner({
    knowledge,
    gauges: evalGauges(telemetry.registry),
    dataDir: settings.dataDir,
    settings: () => store.get().knowledge.eval,
    intervalHours: settings.knowledge.eval.intervalHours,
    background: deps.backgroundEval ?? true,
    log: (level, message, context) => evalLogger[level](message, context),
  });
  // The kept results are exported again at start: the MRR alerts see them after a restart.
  void evalRunner.restore().catch(reportTelemetry);
  const retrieval = createTurnRetrieval(knowledge);
  events.on('kb.progress', (event) => {
    if (event.type === 'done' || event.type === 'error') retrieval.invalidate();
  });
  // MCP servers start now, in the background; their state changes re-check health.
  let healthReady = false;
  const mcpLogger = rootLogger.child({ logger: 'mcp' });
  const mcpTools: McpTools | null =
    deps.mcp?.clients === false
      ? null
      : createMcpTools({
          settings: store,
          clientVersion: appVersion,
          log: (level, message, fields) => mcpLogger[level](message, fields ?? {}),
          onChange: () => {
            if (healthReady) void health.check().catch(() => {});
          },
          ...(deps.mcp?.timing ? { timing: deps.mcp.timing } : {}),
        });
  // The tools a turn may offer the model: built-in ones first (they keep their names), then MCP.
  // They get read-only views (no settings editor, no writes): tool output never changes the app.
  const builtinTools = createBuiltinTools({
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    settings: () => store.get(),
    // `alerts` is created below; the tool only reads it when a turn runs.
    alerts: { state: () => alerts.state() },
    spans: (traceId) => telemetry.spans(traceId),
    knowledge: { search: (query, options) => knowledge.search(query, options) },
    memory: { listMemories: (input) => memory.listMemories(input) },
  });
  const tools = createToolRegistry({ sources: [builtinTools, ...(mcpTools ? [mcpTools] : [])], policies: () => store.get().tools.policy, warn });
  // The answer judge scores sampled turns after their `done`, one at a time, off the answer's path.
  const judgeLogger = rootLogger.child({ logger: 'judge' });
  const judge = createAnswerJudge({
    chat: (request) => client.chat(request),
    settings: () => (deps.judge?.enabled === false ? { sampleRate: 0, model: null } : store.get().judge),
    onJudged: (judgment) => events.emit('chat.judged', judgment),
    telemetry: createJudgeTelemetry({ registry: telemetry.registry, tracer: telemetry.tracer, otelLogger: telemetry.otelLogger, report: reportTelemetry }),
    log: (level, message, context) => judgeLogger[level](message, context),
    ...(deps.judge?.timeoutMs !== undefined ? { timeoutMs: deps.judge.timeoutMs } : {}),
    ...(deps.judge?.random ? { random: deps.judge.random } : {}),
  });
  const agent = createAgent({
    onAnswered: (turn) => judge.submit(turn),
    tools: { registry: tools, capabilities: createModelCapabilities(client), limits: () => store.get().tools, telemetry: telemetry.tools, audit },
    client,
    retrieve: retrieval.retrieve,
    warn,
    conversations: memory.conversations,
    memory,
    limits: settings.stream,
    defaultModel: () => store.get().chatModel,
    contextWindows: createContextWindowResolver(client),
    telemetry: telemetry.turns,
    log: rootLogger.child({ logger: 'agent' }),
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
    mcp: () => mcpTools?.health() ?? [],
    probeOllama: () => probeOllama(client, 3000, (snapshot) => telemetry.ollama.record(snapshot)),
    exportHealth: () => telemetry.exportHealth(),
    alerts: () => ({ summary: alerts.summary(), ...alerts.services(), error: alerts.state().error }),
    intervalMs: settings.healthIntervalMs,
    onChange: (state) => events.emit('health', state),
  });
  healthReady = true;

  // Each domain's handlers; the type checks that together they are exactly the contract.
  const handlers: ContractHandlers = auditedHandlers({
    ...chatHandlers({ agent, events }),
    ...modelsHandlers({ client, defaultModel: () => store.get().chatModel }),
    ...healthHandlers({ health }),
    ...tracesHandlers({ spans: (traceId) => telemetry.spans(traceId) }),
    ...alertsHandlers({ alerts }),
    ...conversationsHandlers({ memory }),
    ...memoryHandlers({ memory }),
    ...kbHandlers({ knowledge, onChanged: () => retrieval.invalidate() }),
    ...evalHandlers({ runner: evalRunner }),
    ...toolsHandlers({ registry: tools }),
    ...settingsHandlers({ store, editor: createSettingsEditor({ store, env: deps.env ?? {} }), ...(deps.fetch ? { fetch: deps.fetch } : {}) }),
  }, audit);

  let closed: Promise<void> | null = null;
  return {
    handlers,
    events,
    settings: store,
    agent,
    embed,
    memory,
    knowledge,
    telemetry,
    judge,
    logger: rootLogger,
    audit,
    mcp: { health: () => mcpTools?.health() ?? [], settled: (timeoutMs) => mcpTools?.settled(timeoutMs) ?? Promise.resolve() },
    close() {
      closed ??= (async () => {
        health.stop();
        alerts.stop();
        await evalRunner?.stop();
        await queryDriftStore.settled();
        await agent.stopAll();
        await judge.close();
        // Ends the stdio servers' processes.
        await mcpTools?.close();
        await memory.close();
        await knowledge.close();
        await telemetry.shutdown();
        await rootLogger.close();
      })();
      return closed;
    },
  };
}
