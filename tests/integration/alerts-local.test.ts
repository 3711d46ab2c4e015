import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { createAlertsService, loadAlertRules } from '../../core/alerts';
import type { AlertsState } from '../../core/common';
import { runTurn, testCore } from '../support/core-harness';

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama({ tokensPerSecond: 4, replyTokens: 3 });
});
afterAll(async () => {
  await fake.close();
});

describe('local alert evaluation (no Prometheus configured)', () => {
  it('the core lists what it evaluates and what needs Prometheus', async () => {
    const core = testCore({ OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '' });
    const state = await core.handlers['alerts.list'](undefined);
    await core.close();
    expect(state).toMatchObject({ mode: 'local', alerts: [], error: null });
    expect(state.needsPrometheus).toEqual(expect.arrayContaining(['AgentBrunoDown', 'ErrorBudgetBurnFast']));
    expect(state.needsPrometheus).not.toContain('OllamaSlowTokenGeneration');
  });

  it('slow tokens: pending, firing after the rule file`s 5m, with its labels and annotations; resolved by a fast answer', async () => {
    const core = testCore({ OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '' });
    let now = Date.parse('2026-11-27T10:00:00Z');
    const changes: AlertsState[] = [];
    const rules = loadAlertRules();
    const service = createAlertsService({
      registry: core.telemetry.registry,
      rules: rules.local,
      remoteOnlyRules: rules.remoteOnly,
      prometheusUrl: null,
      alertmanagerUrl: null,
      intervalMs: 3_600_000,
      onChange: (s) => changes.push(s),
      now: () => now,
    });
    expect((await runTurn(core, { message: 'slow' })).end.type).toBe('done');
    const first = await service.refresh();
    const slow = first.alerts.find((a) => a.name === 'OllamaSlowTokenGeneration')!;
    expect(slow).toMatchObject({ state: 'pending', severity: 'warning', source: 'local', labels: { model: 'llama3.1:8b', component: 'ollama', alertname: 'OllamaSlowTokenGeneration' } });
    expect(slow.description).toMatch(/^llama3\.1:8b generated its last answer at \d\.\d tokens\/s \(expected at least 10 tokens\/s\)\.$/);
    expect(slow.annotations.runbook_url).toBe('https://wiki/runbooks/agent-bruno/ollama-slow-performance');
    now += 4 * 60_000;
    expect((await service.refresh()).alerts.find((a) => a.name === 'OllamaSlowTokenGeneration')?.state).toBe('pending');
    now += 60_000;
    expect((await service.refresh()).alerts.find((a) => a.name === 'OllamaSlowTokenGeneration')?.state).toBe('firing');
    expect(service.summary()).toMatchObject({ firing: 1, highestSeverity: 'warning' });

    fake.configure({ tokensPerSecond: 0, replyTokens: 20 });
    await runTurn(core, { message: 'fast' });
    now += 30_000;
    const resolved = await service.refresh();
    service.stop();
    await core.close();
    expect(resolved.alerts.find((a) => a.name === 'OllamaSlowTokenGeneration')).toBeUndefined();
    // One event per change of the list, not per poll.
    expect(changes.map((c) => c.alerts.find((a) => a.name === 'OllamaSlowTokenGeneration')?.state ?? 'none')).toEqual(['pending', 'firing', 'none']);
  });

  it('Ollama unreachable: the error ratio over 5 minutes fires OllamaUnreachable after 2m', async () => {
    const core = testCore({ OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '' });
    let now = 0;
    const rules = loadAlertRules();
    const service = createAlertsService({ registry: core.telemetry.registry, rules: rules.local, remoteOnlyRules: [], prometheusUrl: null, alertmanagerUrl: null, intervalMs: 3_600_000, onChange: () => {}, now: () => now });
    await service.refresh();
    for (let i = 0; i < 3; i++) {
      await runTurn(core, { message: 'x', model: 'ghost:1b' });
      now += 30_000;
      await service.refresh();
    }
    now += 90_000;
    await runTurn(core, { message: 'x', model: 'ghost:1b' });
    const state = await service.refresh();
    service.stop();
    await core.close();
    expect(state.alerts.find((a) => a.name === 'OllamaUnreachable')).toMatchObject({ state: 'firing', severity: 'critical', description: expect.stringMatching(/^100% of LLM requests failed/) });
  });
});
