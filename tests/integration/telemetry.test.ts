import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { startOtlpGrpcReceiver, startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { createCore } from '../../core/runtime';
import type { Core } from '../../core/runtime';
import { genAiBuckets } from '../../core/common';
import { closedPort, runTurn, testSettings } from '../support/core-harness';
import { parseExposition, promtoolCheckMetrics, sampleValue } from '../support/prom-text';
import { startMetricsServer } from '../../core/server';
import { statusWithHost } from '../support/raw-http';

let fake: FakeOllama;
let receiver: OtlpReceiver;
let core: Core;

function coreWith(env: Record<string, string>): Core {
  const full = { BRUNO_METRICS_ADDR: '', ...env };
  return createCore({ settings: testSettings(full), env: full, logging: { file: false }, telemetry: { exportTimeoutMs: 500, metricIntervalMs: 60_000 } });
}

beforeAll(async () => {
  fake = await startFakeOllama({ tokensPerSecond: 0 });
  receiver = await startOtlpReceiver();
  core = coreWith({ OLLAMA_HOST: fake.url, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test' });
});
afterAll(async () => {
  await core.close();
  await receiver.close();
  await fake.close();
});
afterEach(() => {
  fake.reset();
  receiver.setMode('ok');
});

async function metricsText(c: Core): Promise<string> {
  return c.telemetry.registry.metrics();
}

describe('traces', () => {
  it('exports agent.turn > chat <model> with the GenAI and seed attributes', async () => {
    receiver.reset();
    const turn = await runTurn(core, { message: 'How are the disks?' });
    expect(turn.end.type).toBe('done');
    if (turn.end.type !== 'done') return;
    const { stats } = turn.end;
    await core.telemetry.flush();
    const spans = await receiver.waitForSpans(2);
    const root = spans.find((s) => s.name === 'agent.turn')!;
    const chat = spans.find((s) => s.name === 'chat llama3.1:8b')!;
    expect(root.parentSpanId).toBeUndefined();
    expect(chat.parentSpanId).toBe(root.spanId);
    expect(chat.traceId).toBe(stats.trace_id);
    expect(chat.kindName).toBe('client');
    expect(chat.status.codeName).toBe('ok');
    const port = Number(new URL(fake.url).port);
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'ollama',
      'gen_ai.request.model': 'llama3.1:8b',
      'gen_ai.response.model': 'llama3.1:8b',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': stats.input_tokens,
      'gen_ai.usage.output_tokens': stats.output_tokens,
      'gen_ai.request.stream': true,
      'server.address': '127.0.0.1',
      'server.port': port,
      'llm.usage.total_tokens': stats.input_tokens + stats.output_tokens,
      'llm.request.type': 'chat',
      'bruno.context.window': 4096,
      'bruno.context.window_source': 'ps',
    });
    expect(chat.attributes['gen_ai.response.time_to_first_chunk']).toBeCloseTo(stats.ttft_s!, 6);
    for (const key of ['ollama.total_duration_ns', 'ollama.load_duration_ns', 'ollama.prompt_eval_duration_ns', 'ollama.eval_duration_ns', 'ollama.tokens_per_second', 'ollama.server_ttft_s']) {
      expect(typeof chat.attributes[key]).toBe('number');
    }
    // Content is opt-in: off by default.
    expect(chat.attributes['gen_ai.input.messages']).toBeUndefined();
    expect(chat.attributes['gen_ai.output.messages']).toBeUndefined();
    expect(chat.resource).toMatchObject({ 'service.name': 'agent-bruno-desktop', 'service.version': expect.any(String), 'service.instance.id': expect.any(String), 'deployment.environment': 'test' });
  });

  it('marks a failed call as an error with error.type and the exception', async () => {
    receiver.reset();
    const turn = await runTurn(core, { message: 'hi', model: 'ghost:1b' });
    expect(turn.end.type).toBe('error');
    await core.telemetry.flush();
    const spans = await receiver.waitForSpans(2);
    const chat = spans.find((s) => s.name === 'chat ghost:1b')!;
    expect(chat.status.codeName).toBe('error');
    expect(chat.attributes['error.type']).toBe('model_not_found');
    expect(chat.events.map((e) => e.name)).toContain('exception');
    expect(spans.find((s) => s.name === 'agent.turn')?.status.codeName).toBe('error');
  });

  it('keeps the spans of recent turns for the UI (traces.get)', async () => {
    const turn = await runTurn(core, { message: 'trace me' });
    const traceId = turn.end.type === 'done' ? turn.end.stats.trace_id! : '';
    const spans = await core.handlers['traces.get']({ traceId });
    expect(spans.map((s) => s.name)).toEqual(['agent.turn', 'chat llama3.1:8b']);
    expect(spans[1]?.parentSpanId).toBe(spans[0]?.spanId);
    expect(spans[1]?.attributes['gen_ai.usage.output_tokens']).toBe(turn.end.type === 'done' ? turn.end.stats.output_tokens : -1);
    expect(await core.handlers['traces.get']({ traceId: '0'.repeat(32) })).toEqual([]);
  });

  it('captures prompt and answer only when opted in, and redacts PII in them', async () => {
    const local = await startOtlpReceiver();
    const capturing = coreWith({ OLLAMA_HOST: fake.url, OTEL_EXPORTER_OTLP_ENDPOINT: local.url, BRUNO_CAPTURE_CONTENT: 'true' });
    fake.configure({ replyText: 'Mail ops@example.org about it.' });
    await runTurn(capturing, { message: 'My card is 4111 1111 1111 1111, mail me at jane.doe@example.com' });
    await capturing.telemetry.flush();
    const chat = (await local.waitForSpans(2)).find((s) => s.name.startsWith('chat '))!;
    await capturing.close();
    await local.close();
    const input = String(chat.attributes['gen_ai.input.messages']);
    const output = String(chat.attributes['gen_ai.output.messages']);
    expect(input).toContain('[CARD]');
    expect(input).toContain('[EMAIL]');
    expect(input).not.toContain('4111');
    expect(input).not.toContain('jane.doe');
    expect(output).toContain('Mail [EMAIL] about it.');
  });

  it('honours TRACELOOP_TRACE_CONTENT as the opt-in too', () => {
    expect(testSettings({ TRACELOOP_TRACE_CONTENT: 'true' }).telemetry.captureContent).toBe(true);
    expect(testSettings({ TRACELOOP_TRACE_CONTENT: 'true', BRUNO_CAPTURE_CONTENT: 'false' }).telemetry.captureContent).toBe(false);
    expect(testSettings({}).telemetry.captureContent).toBe(false);
  });
});

describe('Prometheus metrics', () => {
  it('count exactly what Ollama reported, with trace ids as exemplars', async () => {
    const fresh = coreWith({ OLLAMA_HOST: fake.url });
    const reported = { input: 0, output: 0 };
    for (const replyTokens of [5, 17, 31]) {
      fake.configure({ replyTokens });
      const turn = await runTurn(fresh, { message: `give me ${replyTokens} tokens` });
      if (turn.end.type !== 'done') throw new Error(turn.end.message);
      // The fake's own final chunk is the truth.
      const finalChunk = turn.end.stats;
      reported.input += finalChunk.input_tokens;
      reported.output += finalChunk.output_tokens;
      expect(finalChunk.output_tokens).toBe(replyTokens);
    }
    await runTurn(fresh, { message: 'x', model: 'missing:1b' });
    const samples = parseExposition(await metricsText(fresh));
    const labels = { model: 'llama3.1:8b', agent_id: 'agent-bruno' };
    expect(sampleValue(samples, 'agent_ollama_input_tokens_total', { ...labels, operation: 'chat' })).toBe(reported.input);
    expect(sampleValue(samples, 'agent_ollama_output_tokens_total', { ...labels, operation: 'chat' })).toBe(reported.output);
    expect(sampleValue(samples, 'agent_ollama_output_tokens_total', { ...labels, operation: 'chat' })).toBe(5 + 17 + 31);
    expect(sampleValue(samples, 'agent_ollama_tokens_total', labels)).toBe(reported.input + reported.output);
    expect(sampleValue(samples, 'llm_requests_total', { model: 'llama3.1:8b', operation: 'chat', status: 'success' })).toBe(3);
    expect(sampleValue(samples, 'llm_requests_total', { model: 'missing:1b', operation: 'chat', status: 'error' })).toBe(1);
    expect(sampleValue(samples, 'agent_ollama_time_to_first_token_seconds_count', labels)).toBe(3);
    expect(sampleValue(samples, 'agent_ollama_tokens_per_second', labels)).toBeGreaterThan(0);
    const ratio = sampleValue(samples, 'agent_ollama_context_usage_ratio', labels)!;
    const lastTurnTokens = samples.length && ratio * 4096;
    expect(lastTurnTokens).toBeGreaterThan(31);
    const withExemplar = samples.filter((s) => s.name === 'agent_ollama_request_duration_seconds_bucket' && s.exemplar);
    expect(withExemplar.length).toBeGreaterThan(0);
    expect(withExemplar[0]!.exemplar!.labels.trace_id).toMatch(/^[0-9a-f]{32}$/);
    // No unbounded labels anywhere.
    const labelNames = new Set(samples.flatMap((s) => Object.keys(s.labels)));
    for (const banned of ['trace_id', 'conversation_id', 'turn_id', 'user_id', 'user']) expect(labelNames.has(banned)).toBe(false);
    await fresh.close();
  });

  it('the context ratio uses the allocated context from /api/ps, else the model maximum from /api/show', async () => {
    fake.configure({ replyTokens: 10, numCtx: 8192 });
    const a = coreWith({ OLLAMA_HOST: fake.url });
    const loaded = await runTurn(a, { message: 'hello there' });
    await a.close();
    expect(loaded.end.type === 'done' && loaded.end.stats.context_window).toBe(8192);
    if (loaded.end.type === 'done') expect(loaded.end.stats.context_usage_ratio).toBeCloseTo((loaded.end.stats.input_tokens + 10) / 8192, 9);

    // keep_alive 0: the model is unloaded right after the answer, so /api/ps no longer lists it.
    fake.configure({ keepAliveMs: 0 });
    const b = coreWith({ OLLAMA_HOST: fake.url });
    const unloaded = await runTurn(b, { message: 'hello there' });
    const spans = unloaded.end.type === 'done' ? await b.handlers['traces.get']({ traceId: unloaded.end.stats.trace_id! }) : [];
    await b.close();
    expect(unloaded.end.type === 'done' && unloaded.end.stats.context_window).toBe(131072);
    expect(spans.find((s) => s.name.startsWith('chat '))?.attributes['bruno.context.window_source']).toBe('show');
  });

  it('/metrics serves the classic text format that promtool accepts, and OpenMetrics with exemplars', async () => {
    const withEndpoint = createCore({ settings: testSettings({ OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '127.0.0.1:0' }), logging: { file: false } });
    const endpoint = (await startMetricsServer({ registry: withEndpoint.telemetry.registry, addr: '127.0.0.1:0' }))!;
    const url = endpoint.url;
    await runTurn(withEndpoint, { message: 'hi' });
    const text = await (await fetch(url!)).text();
    const check = promtoolCheckMetrics(text);
    expect(check.output).not.toMatch(/error/i);
    expect(check.status).toBe(0);
    expect(text).toMatch(/^# TYPE agent_ollama_input_tokens_total counter$/m);
    expect(text).not.toMatch(/# \{trace_id=/);
    const open = await fetch(url!, { headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;q=0.5' } });
    expect(open.headers.get('content-type')).toMatch(/application\/openmetrics-text/);
    const openText = await open.text();
    expect(openText).toMatch(/agent_ollama_request_duration_seconds_bucket\{.*\} \d+ # \{trace_id="[0-9a-f]{32}"\}/);
    expect(openText.trimEnd().endsWith('# EOF')).toBe(true);
    expect((await fetch(url!.replace('/metrics', '/other'))).status).toBe(404);
    // DNS rebinding: on loopback a page of another site must not read the metrics.
    expect(await statusWithHost(url, 'evil.example:9464')).toBe(421);
    expect(await statusWithHost(url, `localhost:${new URL(url).port}`)).toBe(200);
    await endpoint.close();
    await withEndpoint.close();
  });

  it('/metrics requires the token when one is set, and settings refuse a non-loopback address without one', async () => {
    const guarded = createCore({ settings: testSettings({ OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '127.0.0.1:0', BRUNO_METRICS_TOKEN: 'metrics-token-0123456789' }), logging: { file: false } });
    const endpoint = (await startMetricsServer({ registry: guarded.telemetry.registry, addr: '127.0.0.1:0', token: 'metrics-token-0123456789' }))!;
    const url = endpoint.url;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer metrics-token-0123456789' } })).status).toBe(200);
    await endpoint.close();
    await guarded.close();
    expect(() => testSettings({ BRUNO_METRICS_ADDR: '0.0.0.0:9464' })).toThrow(/beyond loopback, so BRUNO_METRICS_TOKEN .* is required/);
  });
});

describe('OTLP metrics and logs', () => {
  it('exports the GenAI client histograms with the semantic-convention buckets', async () => {
    receiver.reset();
    await runTurn(core, { message: 'measure me' });
    await core.telemetry.flush();
    const usage = await receiver.waitForMetric('gen_ai.client.token.usage');
    expect(usage.unit).toBe('{token}');
    const types = usage.dataPoints.map((p) => p.attributes['gen_ai.token.type']).sort();
    expect(types).toEqual(['input', 'output']);
    expect(usage.dataPoints[0]!.explicitBounds).toEqual([...genAiBuckets.tokenUsage]);
    const duration = await receiver.waitForMetric('gen_ai.client.operation.duration');
    expect(duration.dataPoints[0]!.explicitBounds).toEqual([...genAiBuckets.seconds]);
    expect(duration.dataPoints[0]!.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'ollama', 'gen_ai.request.model': 'llama3.1:8b' });
    const ttfc = await receiver.waitForMetric('gen_ai.client.operation.time_to_first_chunk');
    expect(ttfc.dataPoints[0]!.count).toBeGreaterThan(0);
  });

  it('exports runtime metrics (OTel runtime conventions), turns in flight and agent.ollama.up', async () => {
    receiver.reset();
    await core.handlers['health.get'](undefined);
    await core.telemetry.flush();
    const rss = await receiver.waitForMetric('process.memory.usage');
    expect(rss.unit).toBe('By');
    expect(Number(rss.dataPoints[0]!.value)).toBeGreaterThan(10_000_000);
    const cpu = await receiver.waitForMetric('process.cpu.time');
    expect(cpu.dataPoints.map((p) => p.attributes['cpu.mode']).sort()).toEqual(['system', 'user']);
    for (const name of ['v8js.memory.heap.used', 'v8js.memory.heap.limit', 'agent.turns.in_flight']) await receiver.waitForMetric(name);
    expect(Number((await receiver.waitForMetric('agent.ollama.up')).dataPoints[0]!.value)).toBe(1);
  });

  it('sends log records that carry the trace id of their span', async () => {
    receiver.reset();
    const turn = await runTurn(core, { message: 'log me' });
    await core.telemetry.flush();
    const logs = await receiver.waitForLogs(1);
    const line = logs.find((l) => l.body === 'Ollama chat complete')!;
    expect(line).toBeDefined();
    expect(line.traceId).toBe(turn.end.type === 'done' ? turn.end.stats.trace_id : 'x');
    expect(line.severityText).toBe('INFO');
    expect(line.attributes).toMatchObject({ model: 'llama3.1:8b', component: 'ollama_client' });
  });
});

describe('OTLP over gRPC', () => {
  it('exports spans, metrics and logs over gRPC when OTEL_EXPORTER_OTLP_PROTOCOL=grpc', async () => {
    const grpc = await startOtlpGrpcReceiver();
    const c = coreWith({ OLLAMA_HOST: fake.url, OTEL_EXPORTER_OTLP_ENDPOINT: grpc.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_SERVICE_NAME: 'bruno-on-grpc' });
    await runTurn(c, { message: 'over grpc' });
    await c.telemetry.flush();
    const spans = await grpc.waitForSpans(2);
    await grpc.waitForMetric('gen_ai.client.token.usage');
    await grpc.waitForLogs(1);
    const health = await c.handlers['health.get'](undefined);
    await c.close();
    await grpc.close();
    expect(spans.map((s) => s.name).sort()).toEqual(['agent.turn', 'chat llama3.1:8b']);
    expect(spans[0]!.resource['service.name']).toBe('bruno-on-grpc');
    expect(health.export).toMatchObject({ status: 'ok', protocol: 'grpc' });
  });
});

describe('a broken collector never breaks the chat', () => {
  it('no endpoint: export is off, without errors', async () => {
    const off = coreWith({ OLLAMA_HOST: fake.url });
    const turn = await runTurn(off, { message: 'hi' });
    expect(turn.end.type).toBe('done');
    const health = await off.handlers['health.get'](undefined);
    await off.close();
    expect(health.export).toMatchObject({ status: 'off', endpoint: null, lastError: null });
    expect(health.status).toBe('ok');
  });

  it('unreachable collector: chats complete, drops are counted, health is degraded', async () => {
    const port = await closedPort();
    const dead = coreWith({ OLLAMA_HOST: fake.url, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` });
    for (let i = 0; i < 3; i++) expect((await runTurn(dead, { message: `hi ${i}` })).end.type).toBe('done');
    await dead.telemetry.flush();
    const health = await dead.handlers['health.get'](undefined);
    const samples = parseExposition(await metricsText(dead));
    await dead.close();
    expect(health.status).toBe('degraded');
    expect(health.export.status).toBe('failing');
    expect(health.export.lastError).toBeTruthy();
    expect(health.export.dropped.traces).toBe(6);
    expect(sampleValue(samples, 'bruno_telemetry_dropped_total', { signal: 'traces' })).toBe(6);
  });

  it('a hanging collector costs a bounded queue, and export resumes when it answers again', async () => {
    const hanging = await startOtlpReceiver({ mode: 'hang' });
    const c = createCore({
      settings: testSettings({ OLLAMA_HOST: fake.url, OTEL_EXPORTER_OTLP_ENDPOINT: hanging.url, BRUNO_METRICS_ADDR: '' }),
      logging: { file: false },
      telemetry: { exportTimeoutMs: 400, queueCapacity: 4, metricIntervalMs: 60_000 },
    });
    const started = performance.now();
    for (let i = 0; i < 6; i++) expect((await runTurn(c, { message: `hi ${i}` })).end.type).toBe('done');
    // Six turns against the fake take milliseconds; a blocking exporter would add seconds.
    expect(performance.now() - started).toBeLessThan(2000);
    await c.telemetry.flush();
    const during = await c.handlers['health.get'](undefined);
    expect(during.export.status).toBe('failing');
    // 12 spans, at most 4 waiting: the rest were dropped and counted, not queued without bound.
    expect(during.export.dropped.traces).toBeGreaterThanOrEqual(8);
    hanging.setMode('ok');
    await runTurn(c, { message: 'after recovery' });
    await c.telemetry.flush();
    const after = await c.handlers['health.get'](undefined);
    await c.close();
    await hanging.close();
    expect(after.export.status).toBe('ok');
    expect(after.export.lastSuccessAt).not.toBeNull();
    expect(hanging.spans().some((s) => s.name === 'agent.turn')).toBe(true);
  });
});

describe('live samples', () => {
  it('arrive while a turn streams, at most about 10 per second, ending with a final one', async () => {
    fake.configure({ tokensPerSecond: 100, replyTokens: 100 });
    const samples: { final: boolean; tokensPerSecond: number | null; turnId: string }[] = [];
    const off = core.events.on('turn.sample', (s) => samples.push(s));
    const started = performance.now();
    await runTurn(core, { message: 'stream' });
    const seconds = (performance.now() - started) / 1000;
    off();
    expect(samples.at(-1)?.final).toBe(true);
    expect(samples.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2);
    expect(samples.length).toBeGreaterThanOrEqual(5);
    const live = samples.filter((s) => !s.final && s.tokensPerSecond !== null).map((s) => s.tokensPerSecond!);
    expect(live.at(-1)).toBeGreaterThan(50);
    expect(live.at(-1)).toBeLessThan(200);
  });
});

describe('embeddings', () => {
  it('get an `embeddings <model>` CLIENT span under the given parent, and embed metrics', async () => {
    receiver.reset();
    const fresh = coreWith({ OLLAMA_HOST: fake.url, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    const parent = fresh.telemetry.tracer.startSpan('rag_query');
    const { trace: traceApi, ROOT_CONTEXT } = await import('@opentelemetry/api');
    const result = await fresh.embed({ model: 'nomic-embed-text', input: ['the NAS is at 10.0.0.5', 'backups run nightly'], parent: traceApi.setSpan(ROOT_CONTEXT, parent) });
    parent.end();
    // A single text goes to /api/embed, which reports Ollama's timings (a batch's /v1 route has none).
    await fresh.embed({ model: 'nomic-embed-text', input: ['is the NAS up?'] });
    await expect(fresh.embed({ model: 'ghost-embed', input: ['x'] })).rejects.toMatchObject({ code: 'model_not_found', message: "Model 'ghost-embed' is not pulled - run `ollama pull ghost-embed`" });
    await fresh.telemetry.flush();
    const samples = parseExposition(await fresh.telemetry.registry.metrics());
    await fresh.close();
    expect(result.embeddings).toHaveLength(2);
    const spans = await receiver.waitForSpans(4);
    const [embedSpan, querySpan] = [2, 1].map((n) => spans.find((s) => s.name === 'embeddings nomic-embed-text' && s.attributes['bruno.embed.inputs'] === n)!);
    expect(embedSpan!.attributes).not.toHaveProperty('ollama.total_duration_ns');
    expect(querySpan!.attributes).toMatchObject({ 'ollama.total_duration_ns': expect.any(Number), 'ollama.load_duration_ns': expect.any(Number) });
    expect([embedSpan!.kindName, embedSpan!.parentSpanId]).toEqual(['client', spans.find((s) => s.name === 'rag_query')!.spanId]);
    expect(embedSpan!.attributes).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.provider.name': 'ollama', 'gen_ai.request.model': 'nomic-embed-text', 'gen_ai.embeddings.dimension.count': 768, 'gen_ai.usage.input_tokens': result.prompt_eval_count });
    expect(spans.find((s) => s.name === 'embeddings ghost-embed')?.status.codeName).toBe('error');
    expect(sampleValue(samples, 'agent_ollama_input_tokens_total', { model: 'nomic-embed-text', operation: 'embed' })).toBe(result.prompt_eval_count! + (querySpan!.attributes['gen_ai.usage.input_tokens'] as number));
    expect(sampleValue(samples, 'llm_requests_total', { model: 'nomic-embed-text', operation: 'embed', status: 'success' })).toBe(2);
    expect(sampleValue(samples, 'llm_requests_total', { model: 'ghost-embed', operation: 'embed', status: 'error' })).toBe(1);
  });
});

describe('pausing the export', () => {
  it('sends nothing while paused and reports it, then resumes', async () => {
    const local = await startOtlpReceiver();
    const c = coreWith({ OLLAMA_HOST: fake.url, OTEL_EXPORTER_OTLP_ENDPOINT: local.url });
    c.telemetry.setExportPaused(true);
    await runTurn(c, { message: 'while paused' });
    await c.telemetry.flush();
    expect(local.requests.traces).toBe(0);
    expect((await c.handlers['health.get'](undefined)).export.status).toBe('paused');
    c.telemetry.setExportPaused(false);
    await runTurn(c, { message: 'after' });
    await c.telemetry.flush();
    const spans = await local.waitForSpans(2);
    await c.close();
    await local.close();
    expect(spans.some((s) => s.name === 'agent.turn')).toBe(true);
  });
});
