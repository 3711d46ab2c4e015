import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { BrunoError } from '../common/errors';
import { metricLabels as L, providerName, spanAttributes as A, spanNames } from '../common/metric-names';
import { classifyOllamaError, type Embed, type OllamaClient } from '../llm';
import type { GenAiMetrics } from './genai-metrics';
import type { PromMetrics } from './prom-metrics';
import { safely } from './safely';


export interface EmbedTelemetryDeps {
  client: OllamaClient;
  tracer: Tracer;
  prom: PromMetrics;
  genAi: GenAiMetrics;
  agentId: string;
  report: (err: unknown) => void;
}

/**
 * `/api/embed` with an `embeddings <model>` CLIENT span (GenAI conventions), the seed's token and
 * duration metrics under operation="embed", and llm_requests_total. Errors come back as the same
 * specific BrunoErrors a chat gets ("Model 'nomic-embed-text' is not pulled - run `ollama pull ...`").
 */
export function createInstrumentedEmbed(deps: EmbedTelemetryDeps): Embed {
  const { prom, genAi, agentId } = deps;
  const host = new URL(deps.client.host);
  const server = { address: host.hostname, port: Number(host.port) || 80 };
  return async ({ model, input, parent, signal }) => {
    const started = performance.now();
    const attrs = { [A.operationName]: 'embeddings', [A.providerName]: providerName, [A.requestModel]: model, [A.serverAddress]: server.address, [A.serverPort]: server.port };
    const span = deps.tracer.startSpan(spanNames.embeddings(model), { kind: SpanKind.CLIENT, attributes: { ...attrs, [A.llmRequestType]: 'embedding' } }, parent ?? ROOT_CONTEXT);
    const spanContext = span.spanContext();
    const ex = ((spanContext.traceFlags & 1) === 1 ? { exemplarLabels: { trace_id: spanContext.traceId } } : {}) as object;
    try {
      const response = await deps.client.embed(model, input, signal ? { signal } : undefined);
      const seconds = (performance.now() - started) / 1000;
      safely(deps.report, () => {
        const tokens = response.prompt_eval_count ?? 0;
        span.setAttributes({
          [A.responseModel]: response.model || model,
          [A.inputTokens]: tokens,
          [A.llmTotalTokens]: tokens,
          [A.embeddingDimensions]: response.embeddings[0]?.length ?? 0,
          // /v1/embeddings (a batch, core/llm/http-embed.ts) reports no timings: left out, not 0.
          ...(response.total_duration !== undefined ? { [A.ollamaTotalDurationNs]: response.total_duration } : {}),
          ...(response.load_duration !== undefined ? { [A.ollamaLoadDurationNs]: response.load_duration } : {}),
          'bruno.embed.inputs': input.length,
        });
        span.setStatus({ code: SpanStatusCode.OK });
        span.end();
        const labels = { [L.model]: model, [L.agentId]: agentId, [L.operation]: 'embed' };
        prom.inputTokens.inc(labels, tokens);
        prom.totalTokens.inc({ [L.model]: model, [L.agentId]: agentId }, tokens);
        prom.requestDuration.observe({ labels, value: seconds, ...ex });
        prom.llmRequests.inc({ [L.model]: model, [L.operation]: 'embed', [L.status]: 'success' });
        genAi.operationDuration.record(seconds, attrs);
        genAi.tokenUsage.record(tokens, { ...attrs, [A.tokenType]: 'input' });
      });
      return response;
    } catch (err) {
      const error = err instanceof BrunoError ? err : classifyOllamaError(err, { host: deps.client.host, model, chunksReceived: 0, abortReason: signal?.aborted ? 'cancelled' : undefined });
      const seconds = (performance.now() - started) / 1000;
      safely(deps.report, () => {
        span.setAttribute(A.errorType, error.code);
        span.recordException({ name: error.code, message: error.message });
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        span.end();
        prom.requestDuration.observe({ labels: { [L.model]: model, [L.agentId]: agentId, [L.operation]: 'embed' }, value: seconds, ...ex });
        prom.llmRequests.inc({ [L.model]: model, [L.operation]: 'embed', [L.status]: error.code === 'cancelled' ? 'cancelled' : 'error' });
        genAi.operationDuration.record(seconds, { ...attrs, [A.errorType]: error.code });
      });
      throw error;
    }
  };
}
