import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { defaultTree } from '../../core/config';
import {
  dashboardExprs, dashboardFiles, expectedProvisioned, isLogsDashboard, panelsOf, provisionedFiles, readDashboard, variableQuery, variablesOf,
  type Dashboard, type Panel,
} from '../support/ops/dashboards';
import { grafanaExprToPromql } from '../support/ops/promql';
import { runTool } from '../support/ops/tools';

const { dashboards } = (defaultTree('/data') as { grafana: { dashboards: Record<'ollama' | 'rag' | 'overview', string> } }).grafana;
const allowedPanelTypes = ['timeseries', 'gauge', 'stat', 'table', 'text'];
const expected = new Map<string, string>([
  [dashboards.ollama, 'Ollama Token Usage & Performance'],
  [dashboards.rag, 'RAG & ML Quality'],
  [dashboards.overview, 'Agent Overview'],
  // Not linked from the app (so no setting): the operator opens it from the dashboard list.
  ['bruno-infrastructure', 'Agent Infrastructure'],
]);
// The metric dashboards (Prometheus, Tempo links); the Loki logs dashboard has its own checks in
// tests/integration/ops-pack-logs.test.ts.
const importable = dashboardFiles()
  .map((path) => ({ path, name: basename(path), dashboard: readDashboard(path) }))
  .filter(({ dashboard }) => !isLogsDashboard(dashboard));

const tmp = mkdtempSync(join(tmpdir(), 'bruno-dashboards-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function overlaps(a: Panel['gridPos'], b: Panel['gridPos']): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function tempoLinks(dashboard: Dashboard) {
  return panelsOf(dashboard).flatMap((p) => (p.links ?? []).filter((l) => l.url.startsWith('/explore?')).map((l) => ({ panel: p, link: l })));
}

describe('Grafana dashboards (importable form, resources/grafana/dashboards)', () => {
  it('four dashboards with the fixed uids the app links to, and the expected titles', () => {
    expect(importable.map((d) => d.dashboard.uid).sort()).toEqual([...expected.keys()].sort());
    for (const { dashboard } of importable) expect(dashboard.title).toBe(expected.get(dashboard.uid as string));
    for (const { dashboard } of importable) expect(dashboard.id).toBeNull();
  });

  it.each(importable)('$name: current schema, allowed panel types, unique ids, a sane grid', ({ dashboard }) => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(dashboard.schemaVersion).toBeLessThanOrEqual(43);
    const panels = panelsOf(dashboard);
    expect(panels.length).toBeGreaterThan(5);
    for (const p of panels) expect(allowedPanelTypes, `panel ${p.id} ${p.title}`).toContain(p.type);
    expect(panels.some((p) => p.type === 'timeseries')).toBe(true);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      expect(p.gridPos.x + p.gridPos.w, `panel ${p.id}`).toBeLessThanOrEqual(24);
      for (const q of panels) if (q !== p) expect(overlaps(p.gridPos, q.gridPos), `panels ${p.id} and ${q.id} overlap`).toBe(false);
    }
  });

  it('between them they use timeseries, gauge and stat panels', () => {
    const types = new Set(importable.flatMap(({ dashboard }) => panelsOf(dashboard).map((p) => p.type)));
    for (const type of ['timeseries', 'gauge', 'stat']) expect(types).toContain(type);
  });

  it.each(importable)('$name: importable (__inputs DS_PROMETHEUS and DS_TEMPO, __requires), no hard-coded data source', ({ dashboard }) => {
    const inputs = dashboard.__inputs as { name: string; type: string; pluginId: string }[];
    expect(inputs).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
      expect.objectContaining({ name: 'DS_TEMPO', type: 'datasource', pluginId: 'tempo' }),
    ]));
    const requires = dashboard.__requires as { type: string; id: string }[];
    const required = new Set(requires.map((r) => `${r.type}:${r.id}`));
    for (const id of ['grafana:grafana', 'datasource:prometheus', 'datasource:tempo']) expect(required).toContain(id);
    for (const p of panelsOf(dashboard)) expect(required, `panel type ${p.type}`).toContain(`panel:${p.type}`);

    const text = JSON.stringify(dashboard);
    const usedInputs = new Set([...text.matchAll(/\$\{(DS_[A-Z_]+)\}/g)].map((m) => m[1]));
    expect([...usedInputs].sort()).toEqual(inputs.map((i) => i.name).sort());
    for (const p of panelsOf(dashboard)) {
      expect(p.datasource, `panel ${p.id}`).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
      for (const t of p.targets ?? []) expect(t.datasource, `panel ${p.id} ${t.refId}`).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
    }
  });

  it.each(importable)('$name: a model variable from label_values(agent_ollama_tokens_total, model)', ({ dashboard }) => {
    const model = variablesOf(dashboard).find((v) => v.name === 'model');
    expect(model?.type).toBe('query');
    expect(variableQuery(model!)).toBe('label_values(agent_ollama_tokens_total, model)');
    expect(model?.datasource).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
  });

  it.each(importable)('$name: latency panels show exemplars and link to Tempo', ({ dashboard }) => {
    const latencyTargets = panelsOf(dashboard).flatMap((p) => (p.targets ?? []).filter((t) => /histogram_quantile\([^,]+,[\s\S]*_seconds_bucket/.test(t.expr)).map((t) => ({ p, t })));
    expect(latencyTargets.length).toBeGreaterThan(0);
    for (const { p, t } of latencyTargets) expect(t.exemplar, `panel ${p.id} "${p.title}" ${t.refId}`).toBe(true);

    const links = tempoLinks(dashboard);
    expect(links.length).toBeGreaterThan(0);
    for (const { panel, link } of links) {
      const url = new URL(link.url.replace(/\$\{DS_TEMPO\}/g, 'TEMPO').replace(/\$\{__from\}/g, '1').replace(/\$\{__to\}/g, '2'), 'http://grafana');
      expect(url.searchParams.get('schemaVersion')).toBe('1');
      const panes = JSON.parse(url.searchParams.get('panes')!) as Record<string, { datasource: string; queries: { datasource: { type: string; uid: string }; queryType: string; query: string }[]; range: unknown }>;
      const [paneId, pane] = Object.entries(panes)[0]!;
      expect(paneId, `panel ${panel.id}`).toMatch(/^(?!\d+$)[\w-]{3}$/);
      expect(pane.datasource).toBe('TEMPO');
      expect(pane.queries[0]).toMatchObject({ datasource: { type: 'tempo', uid: 'TEMPO' }, queryType: 'traceql' });
      expect(pane.queries[0]!.query).toMatch(/^\{ .+ \}$/);
      expect(pane.range).toEqual({ from: '1', to: '2' });
    }
  });

  it('ratios are shown as ratios: context usage is never multiplied by 100 and uses percentunit', () => {
    for (const { name, dashboard } of importable) {
      for (const p of panelsOf(dashboard)) {
        for (const t of p.targets ?? []) {
          if (!t.expr.includes('agent_ollama_context_usage_ratio')) continue;
          expect(t.expr, `${name} panel ${p.id}`).not.toMatch(/\*\s*100/);
          expect((p as unknown as { fieldConfig: { defaults: { unit: string } } }).fieldConfig.defaults.unit, `${name} panel ${p.id}`).toBe('percentunit');
        }
      }
    }
  });

  it('every panel query is valid PromQL (promtool parses them as recording rules)', () => {
    const rules = importable.flatMap(({ name, dashboard }) =>
      dashboardExprs(dashboard).map(({ expr }, i) => ({
        record: `dashboard:${name.replace(/\W/g, '_')}:q${i}`,
        expr: grafanaExprToPromql(expr.replace(/^label_values\(\s*([^,]+),\s*\w+\s*\)$/, '$1')),
      })),
    );
    const file = join(tmp, 'dashboard-queries.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard-queries', rules }] }));
    const result = runTool('promtool', ['check', 'rules', file]);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
  });
});

describe('provisioned copies (resources/grafana/provisioned)', () => {
  it('are up to date with the importable dashboards (npx tsx tests/support/ops/sync-dashboards.ts)', () => {
    const wanted = expectedProvisioned();
    expect(provisionedFiles().map((p) => basename(p))).toEqual([...wanted.keys()].sort());
    for (const path of provisionedFiles()) expect(readFileSync(path, 'utf8'), `${basename(path)} is stale: run the sync script`).toBe(wanted.get(basename(path)));
  });

  it.each(provisionedFiles().map((path) => ({ name: basename(path), dashboard: readDashboard(path) })).filter(({ dashboard }) => dashboard.uid !== 'bruno-logs'))('$name: data source variables instead of __inputs', ({ dashboard }) => {
    expect(dashboard.__inputs).toBeUndefined();
    expect(JSON.stringify(dashboard)).not.toContain('${DS_');
    const vars = variablesOf(dashboard);
    expect(vars.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(vars.find((v) => v.name === 'tempo')).toMatchObject({ type: 'datasource', query: 'tempo' });
    for (const p of panelsOf(dashboard)) expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    expect(expected.has(dashboard.uid as string)).toBe(true);
  });
});
