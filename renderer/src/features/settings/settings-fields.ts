/**
 * The settings form's fields (issue 5): their paths in settings.json, how they are edited, and
 * which endpoint "Test connection" checks. Pure helpers turn the form's draft into a patch.
 */
import type { SettingsTarget } from '../../../../core/common';

export type FieldKind = 'url' | 'text' | 'number' | 'select' | 'bool' | 'pii';

export interface FieldDef {
  path: string;
  label: string;
  kind: FieldKind;
  /** An empty field means null (turned off). */
  nullable?: boolean;
  options?: readonly string[];
  test?: SettingsTarget;
  help?: string;
}

export interface FieldGroup {
  title: string;
  fields: FieldDef[];
}

export const settingsGroups: FieldGroup[] = [
  {
    title: 'Ollama',
    fields: [
      { path: 'ollamaHost', label: 'Ollama URL', kind: 'url', test: 'ollama' },
      { path: 'chatModel', label: 'Chat model', kind: 'text', help: 'Used when a chat names no model.' },
      { path: 'knowledge.embedModel', label: 'Embedding model', kind: 'text' },
    ],
  },
  {
    title: 'Telemetry',
    fields: [
      { path: 'telemetry.otlpEndpoint', label: 'OTLP endpoint', kind: 'url', nullable: true, test: 'otlp', help: 'Empty: no export.' },
      { path: 'telemetry.otlpProtocol', label: 'OTLP protocol', kind: 'select', options: ['http/protobuf', 'grpc'] },
      { path: 'telemetry.metricsAddr', label: 'Prometheus /metrics address', kind: 'text', help: 'host:port; empty turns it off.' },
      { path: 'telemetry.captureContent', label: 'Capture prompts and answers in spans (redacted)', kind: 'bool' },
      { path: 'telemetry.piiPatterns', label: 'Extra PII patterns', kind: 'pii', help: 'Regular expressions redacted from logs and captured content.' },
    ],
  },
  {
    title: 'Grafana',
    fields: [
      { path: 'grafana.url', label: 'Grafana URL', kind: 'url', nullable: true, test: 'grafana', help: 'Empty: traces open in the app.' },
      { path: 'grafana.tempoDatasourceUid', label: 'Tempo datasource uid', kind: 'text' },
      { path: 'grafana.orgId', label: 'Organisation id', kind: 'number' },
      { path: 'grafana.dashboards.ollama', label: 'Ollama dashboard uid', kind: 'text' },
      { path: 'grafana.dashboards.rag', label: 'RAG dashboard uid', kind: 'text' },
      { path: 'grafana.dashboards.overview', label: 'Overview dashboard uid', kind: 'text' },
    ],
  },
  {
    title: 'Retrieval evaluation',
    fields: [
      { path: 'knowledge.eval.set', label: 'Evaluation set', kind: 'text', nullable: true, help: 'Absolute path of a JSON Lines file of labelled queries ({"query": "...", "relevant": ["file.md"]} per line); empty: none. Evaluate in the Knowledge view runs it.' },
      { path: 'knowledge.eval.afterIngest', label: 'Evaluate after each ingestion', kind: 'bool' },
      { path: 'knowledge.eval.intervalHours', label: 'Evaluate every (hours)', kind: 'number', help: '0: no schedule.' },
    ],
  },
  {
    title: 'Alerts',
    fields: [
      { path: 'prometheusUrl', label: 'Prometheus URL', kind: 'url', nullable: true, test: 'prometheus', help: 'Empty: alerts are evaluated in the app.' },
      { path: 'alertmanagerUrl', label: 'Alertmanager URL', kind: 'url', nullable: true, test: 'alertmanager' },
    ],
  },
  {
    // Which tools are on is the Tools section below (each saved at once); these bound every call.
    title: 'Tool limits',
    fields: [
      { path: 'tools.maxRounds', label: 'Tool rounds per answer', kind: 'number', help: 'Model -> tools -> model rounds before the model must answer; 0 offers no tools.' },
      { path: 'tools.callTimeoutMs', label: 'Tool call timeout (ms)', kind: 'number' },
      { path: 'tools.resultTokenBudget', label: 'Tool result budget (tokens)', kind: 'number', help: 'A longer result is cut, and the model is told so.' },
    ],
  },
];

export const allFields = settingsGroups.flatMap((g) => g.fields);

export interface PiiRow {
  name: string;
  pattern: string;
  replacement: string;
}

export type DraftValue = string | boolean | PiiRow[];
export type Draft = Record<string, DraftValue>;

export function getPath(source: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), source);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!node[key] || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

/** The form's starting values from settings.get. */
export function draftFrom(values: Record<string, unknown>): Draft {
  const draft: Draft = {};
  for (const f of allFields) {
    const v = getPath(values, f.path);
    if (f.kind === 'bool') draft[f.path] = v === true;
    else if (f.kind === 'pii')
      draft[f.path] = Array.isArray(v) ? v.map((r: { name?: string; pattern?: string; replacement?: string }) => ({ name: r.name ?? '', pattern: r.pattern ?? '', replacement: r.replacement ?? '' })) : [];
    else draft[f.path] = v === null || v === undefined ? '' : String(v);
  }
  return draft;
}

function toValue(f: FieldDef, v: DraftValue): unknown {
  if (f.kind === 'bool') return v === true;
  if (f.kind === 'pii') return (v as PiiRow[]).map((r) => ({ name: r.name, pattern: r.pattern, ...(r.replacement ? { replacement: r.replacement } : {}) }));
  const s = (v as string).trim();
  if (f.nullable && s === '') return null;
  // A number that does not parse goes as typed: the core says what is wrong with it.
  if (f.kind === 'number') return s !== '' && Number.isFinite(Number(s)) ? Number(s) : s;
  return s;
}

/** Only the fields that changed, as a nested patch (pinned fields are never sent). */
export function patchFrom(original: Draft, draft: Draft, pinned: ReadonlySet<string>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const f of allFields) {
    if (pinned.has(f.path)) continue;
    if (JSON.stringify(original[f.path]) === JSON.stringify(draft[f.path])) continue;
    setPath(patch, f.path, toValue(f, draft[f.path]!));
  }
  return patch;
}

/** Whether a field applies at once; the core's settings view lists the live paths. */
export function isLive(path: string, livePaths: readonly string[]): boolean {
  return livePaths.some((live) => path === live || path.startsWith(`${live}.`));
}

/** Field errors keyed by their field (an error on `telemetry.piiPatterns.0.pattern` belongs to the list). */
export function errorsByField(fieldErrors: Record<string, string>): { byField: Record<string, string[]>; other: string[] } {
  const byField: Record<string, string[]> = {};
  const other: string[] = [];
  for (const [path, msg] of Object.entries(fieldErrors)) {
    const field = allFields.find((f) => path === f.path || path.startsWith(`${f.path}.`));
    if (field) (byField[field.path] ??= []).push(path === field.path ? msg : `${path.slice(field.path.length + 1)}: ${msg}`);
    else other.push(`${path}: ${msg}`);
  }
  return { byField, other };
}
