import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { createAlertsService, loadAlertRules } from '../../core/alerts';
import { createCore, type Core } from '../../core/runtime';
import { ollamaMetricNames as O, llmMetricNames as P, runtimeMetricNames } from '../../core/common/metric-names';
import { createMetricsRegistry } from '../../core/telemetry/prom-metrics';
import { createOllamaMetrics, loadedModelsFromPs } from '../../core/telemetry/ollama-metrics';
import { testSettings } from '../support/core-harness';
import { openMetricsToPrometheusText } from '../../core/server/metrics-text';
import { parseExposition, promtoolCheckMetrics, sampleValue } from '../support/prom-text';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});

function coreFor(fake: FakeOllama, env: Record<string, string> = {}): Core {
  const full = { OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '', ...env };
  const core = createCore({ settings: testSettings(full), env: full, logging: { file: false } });
  open.push(core);
  return core;
}

async function samples(core: Core) {
  return parseExposition(await core.telemetry.registry.metrics());
}

describe('the health probe as an Ollama exporter', () => {
  it('exports up, version and every loaded model of /api/ps; the text passes promtool check metrics', async () => {
    const fake = await startFakeOllama({ preload: ['llama3.1:8b', 'nomic-embed-text'], keepAliveMs: 300_000 });
    open.push(fake);
    const core = coreFor(fake);
    // Before the first probe there is no answer (not a 0 that would make OllamaDown pending).
    expect(sampleValue(await samples(core), O.up)).toBeUndefined();
    await core.handlers['health.get'](undefined);
    const text = await core.telemetry.registry.metrics();
    const s = parseExposition(text);
    expect(sampleValue(s, O.up)).toBe(1);
    expect(sampleValue(s, O.info, { version: '0.32.15' })).toBe(1);
    const ps = fake.loadedModels() as unknown as { models: { name: string; size: number; size_vram: number; context_length: number }[] };
    expect(ps.models.length).toBe(2);
    for (const m of ps.models) {
      expect(sampleValue(s, O.modelLoaded, { model: m.name })).toBe(1);
      expect(sampleValue(s, O.modelSizeBytes, { model: m.name })).toBe(m.size);
      expect(sampleValue(s, O.modelVramBytes, { model: m.name })).toBe(m.size_vram);
      expect(sampleValue(s, O.modelContextLength, { model: m.name })).toBe(m.context_length);
      const expiresIn = sampleValue(s, O.modelExpiresIn, { model: m.name })!;
      expect(expiresIn).toBeGreaterThan(290);
      expect(expiresIn).toBeLessThanOrEqual(300);
    }
    const check = promtoolCheckMetrics(openMetricsToPrometheusText(text));
    expect(check.output).toBe('');
    expect(check.status).toBe(0);
  });

  it('process and runtime metrics come from the app registry (not prom-client`s global one)', async () => {
    const fake = await startFakeOllama();
    open.push(fake);
    const core = coreFor(fake);
    const names = new Set((await samples(core)).map((x) => x.name.replace(/_(bucket|sum|count)$/, '')));
    for (const name of Object.values(runtimeMetricNames)) {
      expect(core.telemetry.registry.getSingleMetric(name), name).toBeDefined();
      // The GC histogram has samples only after a collection, active requests (by type) only while
      // there are some; everything else from the start.
      if (name !== runtimeMetricNames.gcDuration && name !== runtimeMetricNames.activeRequests) expect(names, name).toContain(name);
    }
    expect(core.telemetry.registry.getSingleMetric('nodejs_active_handles_total')).toBeUndefined();
    expect(sampleValue(await samples(core), runtimeMetricNames.residentMemory)).toBeGreaterThan(10_000_000);
    const { register } = await import('prom-client');
    expect(register.getSingleMetric(runtimeMetricNames.residentMemory)).toBeUndefined();
  });

  it('an Ollama that stops with no chat running: up 0 within two probe intervals, and OllamaDown pending then firing after 2m', async () => {
    const fake = await startFakeOllama({ preload: ['llama3.1:8b'] });
    const core = coreFor(fake, { BRUNO_HEALTH_INTERVAL_MS: '1000' });
    await core.handlers['health.get'](undefined);
    expect(sampleValue(await samples(core), O.up)).toBe(1);
    await fake.close();
    const stoppedAt = Date.now();
    let up: number | undefined = 1;
    while (up !== 0 && Date.now() - stoppedAt < 5000) {
      await new Promise((r) => setTimeout(r, 100));
      up = sampleValue(await samples(core), O.up);
    }
    expect(up).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(2 * 1000 + 3000); // two intervals plus the probe's own timeout
    // What was loaded is unknown now, not "unloaded": the last model series stay.
    expect(sampleValue(await samples(core), O.modelLoaded, { model: 'llama3.1:8b' })).toBe(1);

    let now = Date.parse('2026-12-06T03:00:00Z');
    const rules = loadAlertRules();
    const service = createAlertsService({ registry: core.telemetry.registry, rules: rules.local, remoteOnlyRules: rules.remoteOnly, prometheusUrl: null, alertmanagerUrl: null, intervalMs: 3_600_000, onChange: () => {}, now: () => now });
    open.push({ close: async () => service.stop() });
    expect((await service.refresh()).alerts.find((a) => a.name === 'OllamaDown')).toMatchObject({ state: 'pending', severity: 'critical', labels: { component: 'ollama' } });
    now += 2 * 60_000;
    const firing = (await service.refresh()).alerts.find((a) => a.name === 'OllamaDown');
    expect(firing).toMatchObject({ state: 'firing', summary: 'Ollama is down' });
    expect(firing?.description).toContain("health probe has not reached Ollama for 2 minutes");
  });

  it('turns in flight and queued: queued until the first token, in flight until the end, 0 after', async () => {
    const fake = await startFakeOllama({ promptEvalMs: 400, tokensPerSecond: 20, replyTokens: 10 });
    open.push(fake);
    const core = coreFor(fake);
    let firstToken!: () => void;
    const tokenSeen = new Promise<void>((r) => (firstToken = r));
    const turn = core.agent.startTurn({ message: 'hi' }, (e) => e.type === 'token' && firstToken());
    await new Promise((r) => setTimeout(r, 150));
    let s = await samples(core);
    expect(sampleValue(s, P.turnsInFlight)).toBe(1);
    expect(sampleValue(s, P.turnsQueued)).toBe(1);
    await tokenSeen;
    s = await samples(core);
    expect(sampleValue(s, P.turnsInFlight)).toBe(1);
    expect(sampleValue(s, P.turnsQueued)).toBe(0);
    expect((await turn.finished).type).toBe('done');
    s = await samples(core);
    expect(sampleValue(s, P.turnsInFlight)).toBe(0);
    // A failed turn leaves both at 0 too.
    fake.configure({ failure: { kind: 'http', status: 500, message: 'boom' } });
    expect((await core.agent.startTurn({ message: 'x' }, () => {}).finished).type).toBe('error');
    s = await samples(core);
    expect([sampleValue(s, P.turnsInFlight), sampleValue(s, P.turnsQueued)]).toEqual([0, 0]);
  });
});

describe('reading /api/ps defensively', () => {
  it('skips hostile entries and keeps numbers finite and non-negative', () => {
    const models = loadedModelsFromPs([
      null, 7, { name: '' }, { name: 'x'.repeat(500) }, { __proto__: { name: 'inherited' } },
      { name: 'ok:1b', size: -5, size_vram: Number.NaN, context_length: 'many', expires_at: 'not a date' },
      { model: 'by-model-field', size: 10, size_vram: 4, context_length: 2048, expires_at: '2026-12-06T03:05:00Z' },
    ]);
    expect(models).toEqual([
      { name: 'ok:1b', sizeBytes: 0, vramBytes: 0, contextLength: null, expiresAtMs: null },
      { name: 'by-model-field', sizeBytes: 10, vramBytes: 4, contextLength: 2048, expiresAtMs: Date.parse('2026-12-06T03:05:00Z') },
    ]);
  });

  it('a model that leaves memory keeps loaded 0 and loses its other series; expiry counts down at scrape time', async () => {
    let now = Date.parse('2026-12-06T03:00:00Z');
    const registry = createMetricsRegistry();
    const metrics = createOllamaMetrics(registry, () => now);
    const model = (name: string) => ({ name, sizeBytes: 100, vramBytes: 60, contextLength: 4096, expiresAtMs: now + 60_000 });
    metrics.record({ up: true, version: '0.32.15', models: [model('a'), model('b')] });
    now += 15_000;
    let s = parseExposition(await registry.metrics());
    expect(sampleValue(s, O.modelExpiresIn, { model: 'a' })).toBe(45);
    metrics.record({ up: true, version: '0.33.0', models: [model('b')] });
    s = parseExposition(await registry.metrics());
    expect(sampleValue(s, O.modelLoaded, { model: 'a' })).toBe(0);
    expect(sampleValue(s, O.modelVramBytes, { model: 'a' })).toBeUndefined();
    expect(sampleValue(s, O.modelExpiresIn, { model: 'a' })).toBeUndefined();
    expect(sampleValue(s, O.modelVramBytes, { model: 'b' })).toBe(60);
    expect(s.filter((x) => x.name === O.info).map((x) => x.labels.version)).toEqual(['0.33.0']);
  });
});
