/**
 * Every metric the app exports, in one place: the prom-client registry, the OTLP meters, the
 * Prometheus rules and the Grafana dashboards in resources/ all use these names (a test checks
 * that resources/ names nothing else).
 *
 * Names follow observability-guide.md where it follows Prometheus conventions. Corrections:
 * - the seed's `agent_ollama_total_tokens` is a counter, so it is `agent_ollama_tokens_total`;
 * - `agent_ollama_context_usage_ratio` is a ratio (0..1): panels multiply by 100 for percent,
 *   and the OllamaHighContextUsage alert compares with 0.9, not "90%".
 */
export const llmMetricNames = {
  inputTokens: 'agent_ollama_input_tokens_total',
  outputTokens: 'agent_ollama_output_tokens_total',
  totalTokens: 'agent_ollama_tokens_total',
  tokensPerSecond: 'agent_ollama_tokens_per_second',
  timeToFirstToken: 'agent_ollama_time_to_first_token_seconds',
  requestDuration: 'agent_ollama_request_duration_seconds',
  modelLoadDuration: 'agent_ollama_model_load_duration_seconds',
  contextUsageRatio: 'agent_ollama_context_usage_ratio',
  llmRequests: 'llm_requests_total',
  malformedLines: 'bruno_ollama_malformed_lines_total',
  telemetryDropped: 'bruno_telemetry_dropped_total',
  /** Turns started and not yet ended (recall, retrieval, stream, bookkeeping). */
  turnsInFlight: 'agent_turns_in_flight',
  /** Turns waiting for their first token: Ollama's queue (OLLAMA_NUM_PARALLEL) or a model load. */
  turnsQueued: 'agent_turns_queued',
} as const;

/**
 * The operator's Ollama, seen by the health probe (GET /api/version and /api/ps every
 * healthIntervalMs): the exporter Ollama lacks (ollama/ollama#3144). Per-model series carry only
 * the `model` label; a model that left memory keeps `loaded` 0 and loses the other series.
 */
export const ollamaMetricNames = {
  up: 'agent_ollama_up',
  /** `agent_ollama_info{version} 1` (Prometheus's `_info` convention for a build's identity). */
  info: 'agent_ollama_info',
  modelLoaded: 'agent_ollama_model_loaded',
  modelVramBytes: 'agent_ollama_model_vram_bytes',
  modelSizeBytes: 'agent_ollama_model_size_bytes',
  modelContextLength: 'agent_ollama_model_context_length',
  /** Seconds until Ollama unloads the model (keep_alive), computed at scrape time. */
  modelExpiresIn: 'agent_ollama_model_expires_in_seconds',
} as const;

/**
 * prom-client's default collectors, registered on the app's own registry. Their names are the
 * library's (shared by every Node exporter), listed here for the rules and dashboards that use
 * them. prom-client's summed `nodejs_active_*_total` gauges are removed (a `_total` gauge breaks
 * Prometheus conventions): sum the per-type `nodejs_active_handles` instead.
 */
export const runtimeMetricNames = {
  cpuSeconds: 'process_cpu_seconds_total',
  cpuUserSeconds: 'process_cpu_user_seconds_total',
  cpuSystemSeconds: 'process_cpu_system_seconds_total',
  residentMemory: 'process_resident_memory_bytes',
  startTime: 'process_start_time_seconds',
  openFds: 'process_open_fds',
  maxFds: 'process_max_fds',
  heapUsed: 'nodejs_heap_size_used_bytes',
  heapTotal: 'nodejs_heap_size_total_bytes',
  heapSpaceUsed: 'nodejs_heap_space_size_used_bytes',
  externalMemory: 'nodejs_external_memory_bytes',
  eventLoopLag: 'nodejs_eventloop_lag_seconds',
  eventLoopLagP99: 'nodejs_eventloop_lag_p99_seconds',
  activeHandles: 'nodejs_active_handles',
  activeRequests: 'nodejs_active_requests',
  activeResources: 'nodejs_active_resources',
  gcDuration: 'nodejs_gc_duration_seconds',
  version: 'nodejs_version_info',
} as const;

/** Knowledge base and retrieval (seed 2.3), exported by core/rag. */
export const ragMetricNames = {
  retrievalLatency: 'rag_retrieval_latency_seconds',
  documentsRetrieved: 'rag_documents_retrieved',
  chunkRelevance: 'rag_chunk_relevance_score',
  contextTokenUsage: 'agent_context_token_usage',
  contextDiversity: 'agent_context_diversity_score',
  cacheHits: 'llm_cache_hits_total',
  /** Beside the hits, so the seed's hit ratio (hits / (hits + misses)) and LowCacheHitRate work. */
  cacheMisses: 'llm_cache_misses_total',
  // Not bruno_kb_*: Prometheus's linter reads "kb" as an abbreviated unit (kilobytes).
  kbDocuments: 'bruno_knowledge_documents',
  kbChunks: 'bruno_knowledge_chunks',
  kbBytes: 'bruno_knowledge_bytes',
  meanReciprocalRank: 'agent_rag_mean_reciprocal_rank',
  hitRateAtK: 'agent_rag_hit_rate_at_k',
  ndcg: 'agent_rag_ndcg_score',
  /** When the last evaluation of a set ran (label `set`): absent until a set was ever evaluated. */
  evalTimestamp: 'agent_rag_eval_timestamp_seconds',
  embeddingDrift: 'agent_embedding_drift_score',
  embeddingMean: 'agent_embedding_mean',
  embeddingStd: 'agent_embedding_std',
  /** Seed 2.3's name: KS-test p-value of recent queries against the reference (label time_window: 1d, 7d, 30d). */
  queryDriftPValue: 'agent_query_distribution_drift_pvalue',
  /**
   * Seed 2.3's name: (now - baseline) / baseline of a score of the latest evaluation against the
   * set's baseline run (labels metric_name, model_version, set); negative = degradation.
   */
  modelPerformanceDrift: 'agent_model_performance_drift',
} as const;

/** Long-term memory (seed 2.4), exported by core/memory. No user_id label: one desktop, one user. */
export const memoryMetricNames = {
  operations: 'memory_operations_total',
  retrievalLatency: 'memory_retrieval_latency_seconds',
  // The seed (and issue 4) say memory_entries_total, but it is a gauge: Prometheus reserves _total for counters.
  entries: 'memory_entries',
} as const;

/** The headless HTTP API's RED metrics, named as the seed's queries (sections 2.1, 4) expect. */
export const httpMetricNames = {
  requests: 'http_requests_total',
  requestDuration: 'http_request_duration_seconds',
} as const;

/** Tool calls of chat turns (issue 14). `tool` is a configured tool's name (bounded), `unknown` for names the model made up. */
export const toolMetricNames = {
  calls: 'agent_tool_calls_total',
  duration: 'agent_tool_duration_seconds',
} as const;

/**
 * The answer judge (seed 2.3, LLM-as-judge; core/eval/answer-judge.ts). The three scores are
 * histograms with the seed's 0.0..1.0 buckets, labelled by the answering `model`. Corrections:
 * - the seed's context score is `agent_context_relevance_judge_score` (its name is kept; issue 16
 *   wrote `agent_context_relevance_score`, which the seed does not use);
 * - `agent_answer_hallucination_detected_total{severity}` counts flagged answers; severity follows
 *   the faithfulness score (high < 0.3 <= medium < 0.6 <= low), so it needs no second verdict;
 * - the judge's own health, which the seed lacks: `agent_judge_evaluations_total{status}` and
 *   `agent_judge_duration_seconds`.
 */
export const judgeMetricNames = {
  faithfulness: 'agent_answer_faithfulness_score',
  answerRelevance: 'agent_answer_relevance_score',
  contextRelevance: 'agent_context_relevance_judge_score',
  hallucinations: 'agent_answer_hallucination_detected_total',
  evaluations: 'agent_judge_evaluations_total',
  duration: 'agent_judge_duration_seconds',
} as const;

/**
 * `status` of agent_judge_evaluations_total: `ok` (scored), `invalid` (the judge's reply was not
 * the JSON the schema asks for), `error` (Ollama failed or timed out), `dropped` (a judge was
 * already running and one was waiting: the sample is skipped, never queued without bound).
 */
export type JudgeOutcome = 'ok' | 'invalid' | 'error' | 'dropped';

/** `status` values of agent_tool_calls_total. */
export type ToolCallOutcome = 'ok' | 'error' | 'timeout' | 'denied';

/** Every metric family name the app exports to Prometheus (resources/ may use only these). */
export const allPromMetricNames: readonly string[] = [
  ...Object.values(llmMetricNames),
  ...Object.values(ollamaMetricNames),
  ...Object.values(runtimeMetricNames),
  ...Object.values(ragMetricNames),
  ...Object.values(memoryMetricNames),
  ...Object.values(httpMetricNames),
  ...Object.values(toolMetricNames),
  ...Object.values(judgeMetricNames),
];

export type PromMetricName = (typeof llmMetricNames)[keyof typeof llmMetricNames];

/** Label names. None is unbounded: no user, conversation, turn or trace id is ever a label. */
export const metricLabels = {
  model: 'model',
  agentId: 'agent_id',
  operation: 'operation',
  status: 'status',
  signal: 'signal',
  tool: 'tool',
  severity: 'severity',
} as const;

/** `operation` label values (the seed's: generate/embed; chat is ours). */
export type LlmOperation = 'chat' | 'generate' | 'embed';

export const metricBuckets = {
  /** The seed's 0.1..5 s, extended: a cold 70B model on a homelab GPU takes longer than 5 s. */
  timeToFirstToken: [0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60],
  requestDuration: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
  modelLoadDuration: [0.5, 1, 2, 5, 10, 30, 60, 120],
  /** A tool call is an HTTP query or a search: milliseconds to the 15 s default timeout. */
  toolDuration: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
  /** The seed's buckets for the judge's 0..1 scores. */
  judgeScore: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
  /** A judge call is one non-streamed answer of a local model: seconds to minutes. */
  judgeDuration: [0.5, 1, 2, 5, 10, 20, 30, 60, 120],
} as const;

/** OpenTelemetry GenAI client metrics (semantic conventions, development status). */
export const genAiMetricNames = {
  tokenUsage: 'gen_ai.client.token.usage',
  operationDuration: 'gen_ai.client.operation.duration',
  timeToFirstChunk: 'gen_ai.client.operation.time_to_first_chunk',
  timePerOutputChunk: 'gen_ai.client.operation.time_per_output_chunk',
  executeToolDuration: 'gen_ai.execute_tool.duration',
} as const;

/** OpenTelemetry runtime/process semantic conventions (the OTLP side of runtimeMetricNames). */
export const otelRuntimeMetricNames = {
  memoryUsage: 'process.memory.usage',
  cpuTime: 'process.cpu.time',
  heapUsed: 'v8js.memory.heap.used',
  heapLimit: 'v8js.memory.heap.limit',
  eventLoopDelayP99: 'nodejs.eventloop.delay.p99',
  turnsInFlight: 'agent.turns.in_flight',
  ollamaUp: 'agent.ollama.up',
} as const;

export const genAiBuckets = {
  tokenUsage: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864],
  seconds: [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92],
} as const;

/** Span names: the seed's names where downstream queries use them, GenAI conventions otherwise. */
export const spanNames = {
  turn: 'agent.turn',
  chat: (model: string) => `chat ${model}`,
  embeddings: (model: string) => `embeddings ${model}`,
  ragQuery: 'rag_query',
  embedQuery: 'embed_query',
  semanticSearch: 'semantic_search',
  keywordSearch: 'keyword_search',
  fusionRerank: 'fusion_rerank',
  executeTool: (tool: string) => `execute_tool ${tool}`,
  /** The answer judge, a child of the turn's `agent.turn` span that starts after the turn ended. */
  evaluateAnswer: 'evaluate_answer',
} as const;

/** Span attribute keys (GenAI semantic conventions + the seed's `llm.*` / `ollama.*`). */
export const spanAttributes = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestStream: 'gen_ai.request.stream',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTemperature: 'gen_ai.request.temperature',
  responseModel: 'gen_ai.response.model',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  timeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  embeddingDimensions: 'gen_ai.embeddings.dimension.count',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  tokenType: 'gen_ai.token.type',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  errorType: 'error.type',
  llmTotalTokens: 'llm.usage.total_tokens',
  llmRequestType: 'llm.request.type',
  ollamaTotalDurationNs: 'ollama.total_duration_ns',
  ollamaLoadDurationNs: 'ollama.load_duration_ns',
  ollamaPromptEvalDurationNs: 'ollama.prompt_eval_duration_ns',
  ollamaEvalDurationNs: 'ollama.eval_duration_ns',
  ollamaTokensPerSecond: 'ollama.tokens_per_second',
  /** The seed's server-side TTFT (load + prompt eval), kept beside the client-measured one. */
  ollamaServerTtftS: 'ollama.server_ttft_s',
  contextWindow: 'bruno.context.window',
  contextWindowSource: 'bruno.context.window_source',
  contextUsageRatio: 'bruno.context.usage_ratio',
  conversationId: 'bruno.conversation.id',
  turnId: 'bruno.turn.id',
  malformedLines: 'bruno.ollama.malformed_lines',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolType: 'gen_ai.tool.type',
  toolCallArguments: 'gen_ai.tool.call.arguments',
  toolCallResult: 'gen_ai.tool.call.result',
  toolSource: 'bruno.tool.source',
  toolTruncated: 'bruno.tool.result_truncated',
  modelRounds: 'bruno.turn.model_rounds',
  evaluationName: 'gen_ai.evaluation.name',
  evaluationScoreValue: 'gen_ai.evaluation.score.value',
  evaluationScoreLabel: 'gen_ai.evaluation.score.label',
  evaluationExplanation: 'gen_ai.evaluation.explanation',
  judgeOutcome: 'bruno.judge.outcome',
} as const;

/** The GenAI event that carries one evaluation score (semantic conventions, development status). */
export const evaluationEventName = 'gen_ai.evaluation.result';

/** HTTP server spans of the headless API (OpenTelemetry HTTP semantic conventions, stable). */
export const httpSpanAttributes = {
  requestMethod: 'http.request.method',
  route: 'http.route',
  responseStatusCode: 'http.response.status_code',
  urlPath: 'url.path',
  urlScheme: 'url.scheme',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  clientAddress: 'client.address',
  protocolVersion: 'network.protocol.version',
  userAgent: 'user_agent.original',
  errorType: 'error.type',
} as const;

/** `POST /api/v1/chat`: method and route, never the raw target (bounded, as the conventions ask). */
export const httpServerSpanName = (method: string, route: string) => `${method} ${route}`;

export const providerName = 'ollama';
export const defaultAgentId = 'agent-bruno';
export const serviceName = 'agent-bruno-desktop';
