/**
 * The ops pack tested for real: Debian's Prometheus 2.42 loads the shipped rules (a copy with
 * `for` shortened) and scrapes the app's /metrics in headless mode; Alertmanager 0.25 receives the
 * alerts; the app reads both (remote mode). Slow generation from the fake Ollama fires
 * OllamaSlowTokenGeneration, fast generation resolves it; answers the (fake) judge flags fire
 * HighHallucinationRate; an Ollama that stops fires OllamaDown.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { assertBuilt, startCliProcess } from '../support/built-app';
import { opsPaths } from '../support/ops/paths';
import { freePort } from '../support/ops/tools';
import { eventually, startDaemon, type Daemon } from '../support/servers/daemon';
import type { AlertsState, HealthState } from '../../core/common';

const token = 'alerting-test-token-0123456789';
let fake: FakeOllama;
let prometheus: Daemon;
let alertmanager: Daemon;
let app: ChildProcess;
let appUrl = '';
let promUrl = '';
let amUrl = '';
let metricsUrl = '';
const scratch = mkdtempSync(join(tmpdir(), 'bruno-alerting-'));

async function invoke<T>(channel: string, input: unknown = {}): Promise<T> {
  const res = await fetch(`${appUrl}/api/v1/invoke/${channel}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(input) });
  const body = (await res.json()) as { ok: boolean; result: T; error?: { message: string } };
  if (!body.ok) throw new Error(body.error?.message);
  return body.result;
}

async function chat(message: string): Promise<void> {
  const res = await fetch(`${appUrl}/api/v1/chat`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ message }) });
  const lines = (await res.text()).trim().split('\n');
  expect(JSON.parse(lines.at(-1)!).type).toBe('done');
}

async function promAlerts(): Promise<{ labels: Record<string, string>; state: string }[]> {
  const body = (await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
  return body.data.alerts;
}

async function promQuery(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const body = (await (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data.result;
}

beforeAll(async () => {
  assertBuilt();
  fake = await startFakeOllama({ tokensPerSecond: 3, replyTokens: 4 });
  const [promPort, amPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  promUrl = `http://127.0.0.1:${promPort}`;
  amUrl = `http://127.0.0.1:${amPort}`;

  // A test copy of the shipped rules: the same expressions, `for` shortened so the test is quick.
  const rulesDir = join(scratch, 'rules');
  mkdirSync(rulesDir);
  for (const file of readdirSync(opsPaths.rulesDir).filter((f) => f.endsWith('.yml'))) {
    writeFileSync(join(rulesDir, file), readFileSync(join(opsPaths.rulesDir, file), 'utf8').replace(/^(\s+)for: \S+$/gm, '$1for: 3s').replace(/interval: \S+/g, 'interval: 1s'));
  }
  writeFileSync(
    join(scratch, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: ['${rulesDir}/*.yml']`,
      `alerting: { alertmanagers: [ { static_configs: [ { targets: ['127.0.0.1:${amPort}'] } ] } ] }`,
      `scrape_configs: [ { job_name: agent-bruno, static_configs: [ { targets: ['127.0.0.1:${metricsPort}'] } ] } ]`,
    ].join('\n'),
  );
  alertmanager = await startDaemon(
    'prometheus-alertmanager',
    [`--config.file=${opsPaths.alertmanagerConfig}`, `--storage.path=${join(scratch, 'am')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address='],
    `${amUrl}/-/ready`,
  );
  prometheus = await startDaemon(
    'prometheus',
    [`--config.file=${join(scratch, 'prometheus.yml')}`, `--storage.tsdb.path=${join(scratch, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--enable-feature=exemplar-storage'],
    `${promUrl}/-/ready`,
  );
  const started = await startCliProcess(
    ['serve', '--port', '0'],
    {
      OLLAMA_HOST: fake.url,
      BRUNO_DATA_DIR: join(scratch, 'data'),
      BRUNO_API_TOKEN: token,
      BRUNO_METRICS_ADDR: `127.0.0.1:${metricsPort}`,
      PROMETHEUS_URL: promUrl,
      ALERTMANAGER_URL: amUrl,
      BRUNO_KB_ALLOWED_ROOTS: tmpdir(),
      BRUNO_HEALTH_INTERVAL_MS: '1000',
    },
    /(http:\/\/127\.0\.0\.1:\d+)\/#token=/,
  );
  app = started.child;
  appUrl = started.match[1]!;
}, 60_000);

afterAll(async () => {
  if (app && app.exitCode === null) {
    app.kill('SIGTERM');
    await once(app, 'exit');
  }
  await prometheus?.stop();
  await alertmanager?.stop();
  await fake?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('alerting against the real Prometheus and Alertmanager', () => {
  it('slow generation: OllamaSlowTokenGeneration goes pending, then firing, reaches Alertmanager, the app and its health', async () => {
    await chat('slow please');
    const isSlow = (a: { labels: Record<string, string> }) => a.labels.alertname === 'OllamaSlowTokenGeneration';
    const pending = await eventually(async () => (await promAlerts()).find((a) => isSlow(a) && a.state === 'pending'), 20_000, 'the alert to be pending');
    expect(pending.labels).toMatchObject({ model: 'llama3.1:8b', severity: 'warning', job: 'agent-bruno' });
    await eventually(async () => (await promAlerts()).find((a) => isSlow(a) && a.state === 'firing'), 20_000, 'the alert to fire');
    await eventually(async () => {
      const list = (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as { labels: Record<string, string> }[];
      return list.find(isSlow);
    }, 20_000, 'Alertmanager to list the alert');

    const state = await invoke<AlertsState>('alerts.list');
    expect(state.mode).toBe('remote');
    expect(state.error).toBeNull();
    // /api/v1/rules: this Prometheus loads every shipped rule, so none is left unevaluated.
    expect(state.needsPrometheus).toEqual([]);
    const alert = state.alerts.find((a) => a.name === 'OllamaSlowTokenGeneration')!;
    expect(alert).toMatchObject({ state: 'firing', severity: 'warning', source: 'alertmanager' });
    expect(alert.description).toMatch(/llama3\.1:8b generated its last answer at \d+\.\d tokens\/s/);
    const health = await eventually(async () => {
      const h = await invoke<HealthState>('health.get');
      return h.alerts.firing >= 1 ? h : null;
    }, 10_000, 'the health state to count the firing alert');
    expect(health.alerts.highestSeverity).toBe('warning');
    expect(health.prometheus).toMatchObject({ reachable: true });
    expect(health.alertmanager).toMatchObject({ reachable: true });
  }, 90_000);

  it('the seed PromQL (2.2.1) runs against the app metrics and returns series; exemplars reach Prometheus', async () => {
    // One failed request, so the error-ratio query of the OllamaUnreachable alert has a numerator.
    const failed = await fetch(`${appUrl}/api/v1/chat`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ message: 'x', model: 'ghost:1b' }) });
    expect(await failed.text()).toMatch(/model_not_found/);
    for (const expr of [
      'sum(rate(agent_ollama_tokens_total[1h])) by (model)',
      'avg(agent_ollama_tokens_per_second) by (model)',
      'histogram_quantile(0.95, sum(rate(agent_ollama_request_duration_seconds_bucket[5m])) by (le, model))',
      'sum(rate(agent_ollama_input_tokens_total[5m])) by (model) / sum(rate(agent_ollama_output_tokens_total[5m])) by (model)',
      'avg(agent_ollama_context_usage_ratio) by (model)',
      'histogram_quantile(0.95, sum(rate(agent_ollama_time_to_first_token_seconds_bucket[5m])) by (le, model))',
      'sum(rate(llm_requests_total{status="error"}[5m])) / sum(rate(llm_requests_total[5m]))',
      'sum(rate(http_requests_total[5m])) by (status_code)',
    ]) {
      const result = await eventually(async () => {
        const r = await promQuery(expr);
        return r.length ? r : null;
      }, 15_000, `series for ${expr}`);
      expect(result.length, expr).toBeGreaterThan(0);
    }
    const now = Date.now() / 1000;
    const exemplars = (await (await fetch(`${promUrl}/api/v1/query_exemplars?query=agent_ollama_request_duration_seconds_bucket&start=${now - 600}&end=${now + 60}`)).json()) as {
      data: { exemplars: { labels: Record<string, string> }[] }[];
    };
    const traceIds = exemplars.data.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id));
    expect(traceIds.length).toBeGreaterThan(0);
    expect(traceIds[0]).toMatch(/^[0-9a-f]{32}$/);
  }, 60_000);

  it('the seed PromQL (2.3) runs against the RAG and ML metrics of a knowledge base in use', async () => {
    // A small knowledge base, used by a chat (retrieval metrics, query drift) and evaluated (quality gauges).
    const docs = join(scratch, 'docs');
    mkdirSync(docs);
    writeFileSync(join(docs, 'backups.md'), '# Backups\n\nThe NAS is backed up nightly at 02:00 by restic.\n');
    writeFileSync(join(docs, 'dns.md'), '# DNS\n\nPi-hole answers on 10.0.0.53 and forwards to unbound.\n');
    await invoke('kb.ingest', { paths: [docs] });
    await eventually(async () => (await invoke<{ chunks: number }[]>('kb.sources')).some((s) => s.chunks > 0), 20_000, 'the ingestion to finish');
    const report = await invoke<{ modes: { mode: string; mrr: number }[] }>('kb.eval', {
      queries: [
        { query: 'when does the NAS backup run', relevant: ['backups.md'] },
        { query: 'which address answers DNS', relevant: ['dns.md'] },
      ],
    });
    expect(report.modes.map((m) => m.mode).sort()).toEqual(['fts', 'hybrid', 'vector']);
    // Drift needs the baseline taken after the ingestion (in the background): chat until it shows.
    await eventually(async () => {
      await chat('when does the NAS backup run?');
      return /agent_embedding_drift_score\{/.test(await (await fetch(metricsUrl)).text());
    }, 20_000, 'the drift gauge');
    for (const expr of [
      'agent_rag_mean_reciprocal_rank',
      'agent_rag_hit_rate_at_k{k="5"}',
      'agent_rag_ndcg_score',
      'agent_embedding_drift_score',
      'agent_embedding_mean',
      'histogram_quantile(0.95, sum(rate(rag_retrieval_latency_seconds_bucket[5m])) by (le, stage))',
      'sum(rate(rag_documents_retrieved_count[5m]))',
      'histogram_quantile(0.5, sum(rate(rag_chunk_relevance_score_bucket[5m])) by (le))',
      'histogram_quantile(0.5, sum(rate(agent_context_token_usage_bucket[5m])) by (le))',
      'agent_context_diversity_score',
      // The run above is the set's first: its baseline, so the drift is 0 (a series, not an alert).
      'agent_model_performance_drift{metric_name="mrr"} == 0',
    ]) {
      const result = await eventually(async () => {
        const r = await promQuery(expr);
        return r.length ? r : null;
      }, 15_000, `series for ${expr}`);
      expect(result.length, expr).toBeGreaterThan(0);
    }
    // The seed's threshold queries run (they return series only while the threshold is crossed).
    for (const expr of ['agent_rag_mean_reciprocal_rank < 0.75', 'agent_embedding_drift_score < 0.95', 'agent_model_performance_drift{metric_name="mrr"} < -0.05', 'agent_query_distribution_drift_pvalue{time_window="7d"} < 0.01']) await promQuery(expr);
  }, 90_000);

  it('fast generation resolves it, in Prometheus and in the app', async () => {
    fake.configure({ tokensPerSecond: 0, replyTokens: 20 });
    await chat('fast please');
    await eventually(async () => !(await promAlerts()).some((a) => a.labels.alertname === 'OllamaSlowTokenGeneration'), 20_000, 'Prometheus to resolve the alert');
    const state = await eventually(async () => {
      const s = await invoke<AlertsState>('alerts.list');
      return s.alerts.some((a) => a.name === 'OllamaSlowTokenGeneration' && a.source === 'prometheus') ? null : s;
    }, 20_000, 'the app to stop reporting the alert from Prometheus');
    expect(state.error).toBeNull();
  }, 60_000);

  it('answers the judge flags fire HighHallucinationRate in Prometheus; the app lists it (judge turned on live)', async () => {
    const docs = join(scratch, 'judge-docs');
    mkdirSync(docs);
    writeFileSync(join(docs, 'ups.md'), '# UPS\n\nThe UPS shuts the NAS down after 10 minutes on battery.\n');
    await invoke('kb.ingest', { paths: [docs] });
    await eventually(async () => (await invoke<{ root: string; chunks: number }[]>('kb.sources')).some((s) => s.root.endsWith('judge-docs') && s.chunks > 0), 20_000, 'the ingestion to finish');
    await invoke('settings.update', { patch: { judge: { sampleRate: 1 } } });
    fake.configure({ structured: { values: { faithfulness: 0.1, answer_relevance: 0.9, context_relevance: 0.8, hallucination: true } } });
    const judged = async () => Number((await promQuery('sum(agent_answer_faithfulness_score_count)'))[0]?.value[1] ?? 0);
    // The first judged answer creates the series; once scraped, the next ones are an increase.
    await chat('What does the UPS do on battery?');
    await eventually(async () => ((await judged()) >= 1 ? true : null), 15_000, 'the judge series to be scraped');
    for (let i = 0; i < 6; i++) await chat(`What does the UPS do on battery? (${i})`);
    await eventually(async () => ((await judged()) >= 7 ? true : null), 20_000, 'Prometheus to see 7 judged answers');
    const isHallucination = (a: { labels: Record<string, string> }) => a.labels.alertname === 'HighHallucinationRate';
    const firing = await eventually(async () => (await promAlerts()).find((a) => isHallucination(a) && a.state === 'firing'), 20_000, 'HighHallucinationRate to fire');
    expect(firing.labels).toMatchObject({ severity: 'high', component: 'llm', ml_category: 'quality' });
    expect((await promQuery('sum(agent_answer_hallucination_detected_total{severity="high"})'))[0]?.value[1]).toBe('7');
    const alert = await eventually(async () => (await invoke<AlertsState>('alerts.list')).alerts.find((a) => a.name === 'HighHallucinationRate' && a.state === 'firing'), 20_000, 'the app to list HighHallucinationRate');
    expect(alert.description).toMatch(/^100% of the judged answers of the last hour state what their sources do not support/);
    await invoke('settings.update', { patch: { judge: { sampleRate: 0 } } });
  }, 90_000);

  it('an Ollama that stops with no chat running fires OllamaDown in Prometheus and reaches the app', async () => {
    const up = await eventually(async () => (await promQuery('agent_ollama_up'))[0], 10_000, 'agent_ollama_up to be scraped');
    expect(up.value[1]).toBe('1');
    await fake.close();
    const isDown = (a: { labels: Record<string, string> }) => a.labels.alertname === 'OllamaDown';
    const firing = await eventually(async () => (await promAlerts()).find((a) => isDown(a) && a.state === 'firing'), 20_000, 'OllamaDown to fire');
    expect(firing.labels).toMatchObject({ severity: 'critical', component: 'ollama', job: 'agent-bruno' });
    const alert = await eventually(async () => (await invoke<AlertsState>('alerts.list')).alerts.find((a) => a.name === 'OllamaDown'), 20_000, 'the app to list OllamaDown');
    expect(alert.summary).toBe('Ollama is down');
    // Back on the same port for the tests after this one.
    fake = await startFakeOllama({ port: Number(new URL(fake.url).port), tokensPerSecond: 0, replyTokens: 20 });
    await eventually(async () => ((await invoke<HealthState>('health.get')).ollama.reachable ? true : null), 10_000, 'Ollama to be reachable again');
  }, 60_000);

  it('an unreachable Prometheus shows as degraded health with an error, never as "no alerts"', async () => {
    await prometheus.stop();
    const state = await invoke<AlertsState>('alerts.list');
    expect(state.error).toMatch(/Cannot read alerts: http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
    const health = await eventually(async () => {
      const h = await invoke<HealthState>('health.get');
      return h.status === 'degraded' ? h : null;
    }, 10_000, 'degraded health');
    expect(health.prometheus).toMatchObject({ reachable: false });
  }, 30_000);
});
