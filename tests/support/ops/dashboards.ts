import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { filesIn, opsPaths } from './paths';

/**
 * The Grafana dashboards exist in two forms made from one source:
 * - resources/grafana/dashboards/*.json: the importable export form (the source; edit these,
 *   or export from Grafana "for sharing externally"): `__inputs` DS_PROMETHEUS and DS_TEMPO
 *   that Grafana's import asks for and substitutes;
 * - resources/grafana/provisioned/*.json: what file provisioning loads. Provisioning does not
 *   resolve `__inputs`, so the copies use data source template variables instead
 *   (`${datasource}` for Prometheus, `${tempo}` for Tempo), which pick the default data source of
 *   that type. Regenerate them with `npx tsx tests/support/ops/sync-dashboards.ts`; a test fails
 *   when they are out of date.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Dashboard = { [key: string]: Json };
export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; exemplar?: boolean; datasource?: { type: string; uid: string } }[];
  links?: { title: string; url: string }[];
  gridPos: { x: number; y: number; w: number; h: number };
  panels?: Panel[];
}

export const dashboardFiles = (): string[] => filesIn(opsPaths.dashboardsDir, '.json');
export const provisionedFiles = (): string[] => filesIn(opsPaths.provisionedDir, '.json');

export function readDashboard(path: string): Dashboard {
  return JSON.parse(readFileSync(path, 'utf8')) as Dashboard;
}

/** All panels, rows' children included. */
export function panelsOf(dashboard: Dashboard): Panel[] {
  const out: Panel[] = [];
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      out.push(p);
      if (p.panels) walk(p.panels);
    }
  };
  walk((dashboard.panels ?? []) as unknown as Panel[]);
  return out;
}

export interface TemplateVariable {
  name: string;
  type: string;
  query?: string | { query?: string };
  datasource?: { type: string; uid: string } | string | null;
}

export function variablesOf(dashboard: Dashboard): TemplateVariable[] {
  const templating = dashboard.templating as { list?: TemplateVariable[] } | undefined;
  return templating?.list ?? [];
}

export function variableQuery(variable: TemplateVariable): string {
  return typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
}

/** Every PromQL expression a dashboard runs: panel targets and query variables. */
export function dashboardExprs(dashboard: Dashboard): { where: string; expr: string }[] {
  const exprs = panelsOf(dashboard).flatMap((p) => (p.targets ?? []).filter((t) => t.expr).map((t) => ({ where: `panel ${p.id} "${p.title}" ${t.refId}`, expr: t.expr })));
  for (const v of variablesOf(dashboard)) if (v.type === 'query') exprs.push({ where: `variable ${v.name}`, expr: variableQuery(v) });
  return exprs;
}

const inputToVariable: Record<string, string> = { DS_PROMETHEUS: 'datasource', DS_TEMPO: 'tempo', DS_LOKI: 'loki' };
const inputLabels: Record<string, [label: string, pluginId: string]> = { DS_PROMETHEUS: ['Prometheus', 'prometheus'], DS_TEMPO: ['Tempo', 'tempo'], DS_LOKI: ['Loki', 'loki'] };

/** The data source inputs a dashboard declares (`DS_PROMETHEUS`, `DS_TEMPO`, `DS_LOKI`), in their order. */
export function inputsOf(dashboard: Dashboard): string[] {
  return ((dashboard.__inputs ?? []) as { name: string }[]).map((i) => i.name);
}

/** Prometheus dashboards (the metric ones) and the Loki logs dashboard are checked apart (either form). */
export const isLogsDashboard = (dashboard: Dashboard): boolean => panelsOf(dashboard).some((p) => p.datasource?.type === 'loki');

function datasourceVariable(name: string, label: string, pluginId: string): Json {
  return { name, label, type: 'datasource', query: pluginId, current: {}, options: [], regex: '', hide: 0, refresh: 1, skipUrlSync: false };
}

function replaceInputs(value: Json): Json {
  if (typeof value === 'string') return value.replace(/\$\{(DS_[A-Z_]+)\}/g, (match, input: string) => (inputToVariable[input] ? `\${${inputToVariable[input]}}` : match));
  if (Array.isArray(value)) return value.map(replaceInputs);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceInputs(v)]));
  return value;
}

/** The provisioned form of an importable dashboard (see the comment at the top). */
export function toProvisioned(dashboard: Dashboard): Dashboard {
  const { __inputs: _inputs, __requires: _requires, ...rest } = dashboard;
  const converted = replaceInputs(rest as Json) as Dashboard;
  const templating = (converted.templating ?? { list: [] }) as { list: Json[] };
  // One data source variable per input the dashboard declares, in the order of its __inputs.
  const sources = inputsOf(dashboard).filter((name) => inputToVariable[name]).map((name) => datasourceVariable(inputToVariable[name]!, ...inputLabels[name]!));
  converted.templating = { ...templating, list: [...sources, ...templating.list] };
  return converted;
}

export function serializeDashboard(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

/** The provisioned copies as they should be on disk: file name -> content. */
export function expectedProvisioned(): Map<string, string> {
  return new Map(dashboardFiles().map((path) => [basename(path), serializeDashboard(toProvisioned(readDashboard(path)))]));
}

export function writeProvisioned(): string[] {
  const written: string[] = [];
  for (const [name, text] of expectedProvisioned()) {
    const path = join(opsPaths.provisionedDir, name);
    writeFileSync(path, text);
    written.push(path);
  }
  return written;
}
