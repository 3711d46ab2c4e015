/**
 * Logs in Loki (issue 16): the labels Alloy gives the app's log streams, derived here from
 * resources/alloy/config.alloy (no alloy or Loki binary on this machine), checked against what the
 * app really sends over OTLP, and held against every LogQL query of the logs dashboard and both
 * log/trace links of the provisioned data sources.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { serviceName } from '../../core/common/metric-names';
import type { Core } from '../../core/runtime';
import { auditLoggerName } from '../../core/telemetry/audit-log';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { runTurn, testCore } from '../support/core-harness';
import { componentRefs, parseAlloy, stringValue, type AlloyBlock } from '../support/ops/alloy';
import { dashboardFiles, isLogsDashboard, panelsOf, provisionedFiles, readDashboard, variablesOf, type Dashboard } from '../support/ops/dashboards';
import { opsPaths } from '../support/ops/paths';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';

const blocks = parseAlloy(readFileSync(opsPaths.alloyConfig, 'utf8'));
const block = (name: string, label: string) => blocks.find((b) => b.name === name && b.label === label);

/** Components on the logs path from the receiver, in order (each `output.logs` / `forward_to`). */
function logsPath(): AlloyBlock[] {
  const path: AlloyBlock[] = [];
  let current = blocks.find((b) => b.name === 'otelcol.receiver.otlp');
  while (current) {
    const expr = current.blocks.find((b) => b.name === 'output')?.attrs.logs ?? current.attrs.forward_to;
    const ref = expr ? componentRefs(expr)[0] : undefined;
    current = ref ? block(ref.component, ref.label) : undefined;
    if (current) path.push(current);
  }
  return path;
}

/**
 * What otelcol.exporter.loki makes labels of (opentelemetry-collector-contrib pkg/translator/loki,
 * which Alloy calls with every default label on): exporter="OTLP", job from service.namespace/
 * service.name, instance from service.instance.id, level from the severity number; plus each
 * attribute named by a `loki.attribute.labels` hint, its name normalized as Prometheus labels are
 * (dots to underscores).
 */
function lokiLabels(): { labels: Set<string>; hintedAttributes: string[] } {
  const path = logsPath();
  const exporterAt = path.findIndex((b) => b.name === 'otelcol.exporter.loki');
  expect(exporterAt, 'otelcol.exporter.loki on the logs path').toBeGreaterThan(-1);
  const hinted = path
    .slice(0, exporterAt)
    .filter((b) => b.name === 'otelcol.processor.attributes')
    .flatMap((b) => b.blocks.filter((a) => a.name === 'action' && stringValue(a.attrs.key) === 'loki.attribute.labels' && ['insert', 'upsert'].includes(stringValue(a.attrs.action) ?? '')))
    .flatMap((a) => (stringValue(a.attrs.value) ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  return { labels: new Set(['exporter', 'job', 'instance', 'level', ...hinted.map((h) => h.replace(/[^a-zA-Z0-9_]/g, '_'))]), hintedAttributes: hinted };
}

/** The line Alloy writes for a record (translator/loki encode.go: Go's json.Marshal of lokiEntry). */
function lokiLine(record: { body: unknown; traceId?: string; spanId?: string; severityText: string; attributes: Record<string, unknown>; resource: Record<string, unknown> }, promoted: string[]): string {
  const attributes = Object.fromEntries(Object.entries(record.attributes).filter(([k]) => !promoted.includes(k)));
  return JSON.stringify({ body: record.body, traceid: record.traceId, spanid: record.spanId, severity: record.severityText, attributes, resources: record.resource });
}

/** Stream selectors `{...}` of a LogQL query, as label -> [operator, value]. */
function selectors(expr: string): Array<Array<[string, string, string]>> {
  // line_format templates ({{.field}}) are no selectors.
  return [...expr.replace(/\{\{[^}]*\}\}/g, '').matchAll(/\{([^{}]*)\}/g)]
    .map((m) => [...m[1]!.matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)].map((x) => [x[1]!, x[2]!, x[3]!] as [string, string, string]));
}

const logsDashboards = dashboardFiles().map((p) => readDashboard(p)).filter(isLogsDashboard);
const logsDashboard = logsDashboards[0]!;
const exprs = (d: Dashboard) => panelsOf(d).flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel ${p.id} "${p.title}"`, expr: t.expr })));

let fake: FakeOllama;
let receiver: OtlpReceiver;
let core: Core;
beforeAll(async () => {
  fake = await startFakeOllama({ tokensPerSecond: 0 });
  receiver = await startOtlpReceiver();
  core = testCore({ OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
});
afterAll(async () => {
  await core.close();
  await receiver.close();
  await fake.close();
});

describe('the labels Alloy gives Loki', () => {
  it('are exporter, job, instance, level and logger_name (logger.name promoted by a hint), as resources/README.md says', () => {
    const { labels, hintedAttributes } = lokiLabels();
    expect([...labels].sort()).toEqual(['exporter', 'instance', 'job', 'level', 'logger_name']);
    expect(hintedAttributes).toEqual(['logger.name']);
    const guide = readFileSync(opsPaths.guide, 'utf8');
    const section = guide.slice(guide.indexOf('## Logs in Loki'));
    expect(section.length, 'resources/README.md has a "Logs in Loki" section').toBeGreaterThan(100);
    for (const label of labels) expect(section, label).toContain(`\`${label}\``);
  });

  it('are made of what the app sends: service.name -> job, service.instance.id -> instance, a severity, logger.name', async () => {
    receiver.reset();
    core.audit.record('auth_refused', 'request refused', { reason: 'no bearer token', endpoint: '/api/v1/chat', method: 'POST', client_address: '127.0.0.1' });
    const turn = await runTurn(core, { message: 'hello' });
    await core.telemetry.flush();
    const logs = await receiver.waitFor(() => {
      const all = receiver.logs();
      return all.some((l) => l.body === 'request refused') && all.some((l) => l.body === 'Ollama chat complete') ? all : null;
    });
    for (const record of logs) {
      expect(record.resource['service.name']).toBe(serviceName);
      expect(record.resource['service.instance.id']).toEqual(expect.any(String));
      expect(record.resource['service.namespace'], 'no namespace: job is service.name alone').toBeUndefined();
      expect(['DEBUG', 'INFO', 'WARN', 'ERROR']).toContain(record.severityText);
      expect(record.severityNumber).toBeGreaterThan(0);
      expect(record.attributes['logger.name']).toMatch(/^agent_bruno(\.|$)/);
    }
    const audit = logs.find((l) => l.body === 'request refused')!;
    expect(audit.attributes).toMatchObject({ 'logger.name': auditLoggerName, audit: true, event_type: 'auth_refused', reason: 'no bearer token', endpoint: '/api/v1/chat', method: 'POST', client_address: '127.0.0.1' });
    expect(audit.severityText).toBe('WARN');

    // The Loki derived field finds the trace id in the line Alloy writes for a record with a span.
    const chat = logs.find((l) => l.body === 'Ollama chat complete')!;
    const traceId = turn.end.type === 'done' ? turn.end.stats.trace_id : null;
    expect(chat.traceId).toBe(traceId);
    const derived = lokiDataSource().jsonData.derivedFields!;
    const line = lokiLine({ ...chat, attributes: chat.attributes as Record<string, unknown>, resource: chat.resource as Record<string, unknown> }, lokiLabels().hintedAttributes);
    expect(derived).toHaveLength(1);
    expect(new RegExp(derived[0]!.matcherRegex).exec(line)?.[1]).toBe(traceId);
    // A line without a span gives no link.
    expect(new RegExp(derived[0]!.matcherRegex).exec(lokiLine({ ...audit, attributes: {}, resource: {} }, []))).toBeNull();
  });
});

interface DataSource {
  uid: string;
  type: string;
  jsonData: { derivedFields?: { name: string; datasourceUid: string; matcherRegex: string; url: string }[]; tracesToLogsV2?: { datasourceUid: string; tags?: { key: string; value?: string }[]; filterByTraceID?: boolean } };
}
const dataSources = () => (parse(readFileSync(join(opsPaths.grafanaProvisioningDir, 'datasources', 'agent-bruno.yml'), 'utf8')) as { datasources: DataSource[] }).datasources;
const lokiDataSource = () => dataSources().find((d) => d.type === 'loki')!;

describe('the links between logs and traces (provisioned data sources)', () => {
  it('Loki -> Tempo: the derived field points at the Tempo data source and links the raw value', () => {
    const [field] = lokiDataSource().jsonData.derivedFields!;
    expect(dataSources().find((d) => d.uid === field!.datasourceUid)?.type).toBe('tempo');
    // `$$` is provisioning's escape of Grafana's environment expansion: Grafana reads `${__value.raw}`.
    expect(field!.url).toBe('$${__value.raw}');
    expect(field!.matcherRegex).toContain('"traceid"');
  });

  it('Tempo -> Loki: the span tag service.name maps to the job label Alloy produces, filtered by trace id', () => {
    const tempo = dataSources().find((d) => d.type === 'tempo')!;
    const link = tempo.jsonData.tracesToLogsV2!;
    expect(dataSources().find((d) => d.uid === link.datasourceUid)?.type).toBe('loki');
    expect(link.filterByTraceID).toBe(true);
    expect(link.tags).toEqual([{ key: 'service.name', value: 'job' }]);
    for (const tag of link.tags!) expect(lokiLabels().labels).toContain(tag.value ?? tag.key);
  });
});

describe('the logs dashboard (resources/grafana/dashboards/agent-logs.json)', () => {
  it('one Loki dashboard with a fixed uid, importable (__inputs DS_LOKI) and a sane grid', () => {
    expect(logsDashboards).toHaveLength(1);
    expect(logsDashboard).toMatchObject({ uid: 'bruno-logs', title: 'Agent Logs', id: null });
    expect(logsDashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_LOKI', type: 'datasource', pluginId: 'loki' })]);
    const panels = panelsOf(logsDashboard);
    const required = new Set((logsDashboard.__requires as { type: string; id: string }[]).map((r) => `${r.type}:${r.id}`));
    for (const p of panels) {
      expect(['timeseries', 'stat', 'logs', 'table', 'text']).toContain(p.type);
      expect(required).toContain(`panel:${p.type}`);
      expect(p.datasource, `panel ${p.id}`).toEqual({ type: 'loki', uid: '${DS_LOKI}' });
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    expect(panels.map((p) => p.type)).toEqual(expect.arrayContaining(['timeseries', 'logs', 'stat']));
  });

  it("covers errors by logger, slow turns, audit lines and a trace's lines", () => {
    const all = exprs(logsDashboard).map((e) => e.expr);
    expect(all.some((e) => /by \(logger_name/.test(e) && /level=~"ERROR\|WARN"/.test(e))).toBe(true);
    expect(all.some((e) => e.includes('Slow (generation|retrieval)'))).toBe(true);
    expect(all.some((e) => e.includes(`logger_name="${auditLoggerName}"`))).toBe(true);
    expect(all.some((e) => /\| json \| traceid="\$trace_id"/.test(e))).toBe(true);
  });

  it('every stream selector uses only labels Alloy produces, with values the app sends', () => {
    const { labels } = lokiLabels();
    const job = variablesOf(logsDashboard).find((v) => v.name === 'job')!;
    expect(job.query, 'the job variable defaults to the app service name').toBe(serviceName);
    for (const { where, expr } of exprs(logsDashboard)) {
      const found = selectors(expr);
      expect(found.length, `${where}: ${expr}`).toBeGreaterThan(0);
      for (const selector of found) {
        expect(selector.find(([l]) => l === 'job'), `${where} selects the app's job`).toEqual(['job', '=', '$job']);
        for (const [label, , value] of selector) {
          expect(labels, `${where}: label ${label}`).toContain(label);
          if (label === 'level') for (const v of value.split('|')) expect(['DEBUG', 'INFO', 'WARN', 'ERROR'], where).toContain(v);
          if (label === 'logger_name') expect(value, where).toMatch(/^agent_bruno\.\w+$/);
        }
      }
    }
  });

  it('fields read after | json are fields of the line Alloy writes (body, traceid, attributes_<app attribute>)', () => {
    const lineFields = new Set(['body', 'traceid', 'spanid', 'severity', 'flags']);
    const auditAttributes = new Set(['audit', 'event_type', 'reason', 'endpoint', 'method', 'status_code', 'client_address', 'origin']);
    for (const { where, expr } of exprs(logsDashboard)) {
      const afterJson = expr.split('| json').slice(1).join(' ');
      const fields = [...afterJson.matchAll(/\b(attributes_\w+|body|traceid|spanid|severity)\b/g)].map((m) => m[1]!);
      for (const f of fields) expect(lineFields.has(f) || (f.startsWith('attributes_') && auditAttributes.has(f.slice('attributes_'.length))), `${where}: ${f}`).toBe(true);
      if (/attributes_|body|traceid/.test(expr.replace(/\{[^}]*\}/, ''))) expect(expr, `${where} parses the line first`).toContain('| json');
    }
  });

  it('its provisioned copy reads Loki through a data source variable', () => {
    const copy = provisionedFiles().map((p) => ({ name: basename(p), d: readDashboard(p) })).find(({ d }) => d.uid === 'bruno-logs')!;
    expect(copy.name).toBe('agent-logs.json');
    expect(copy.d.__inputs).toBeUndefined();
    expect(variablesOf(copy.d).find((v) => v.name === 'loki')).toMatchObject({ type: 'datasource', query: 'loki' });
    expect(variablesOf(copy.d).some((v) => v.name === 'datasource' || v.name === 'tempo')).toBe(false);
    for (const p of panelsOf(copy.d)) expect(p.datasource).toEqual({ type: 'loki', uid: '${loki}' });
  });
});
