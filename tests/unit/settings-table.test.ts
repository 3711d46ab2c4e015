import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSettingsEditor, createSettingsStore, isLoopbackHost, loadSettings, settingRows, settingsSchema } from '../../core/config';
import { createTelemetry } from '../../core/telemetry';
import { tempDir } from '../support/core-harness';

/** The dotted leaves of the schema: nested strict objects are walked, anything else is a leaf. */
function schemaLeaves(schema: z.ZodType, prefix = ''): string[] {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  if (schema instanceof z.ZodObject && shape) return Object.entries(shape).flatMap(([key, child]) => schemaLeaves(child, `${prefix}${key}.`));
  return [prefix.slice(0, -1)];
}

describe('the setting table', () => {
  it('has exactly one row per leaf of the schema', () => {
    const rows = settingRows.map((r) => r.path);
    expect(new Set(rows).size).toBe(rows.length);
    expect([...rows].sort()).toEqual(schemaLeaves(settingsSchema).sort());
  });

  it('its defaults load into valid settings', () => {
    const dir = tempDir();
    const settings = loadSettings({ env: { BRUNO_DATA_DIR: dir } });
    expect(settings.dataDir).toBe(dir);
    expect(settings.tools).toEqual({ policy: {}, maxRounds: 5, callTimeoutMs: 15_000, resultTokenBudget: 2_000 });
  });
});

/**
 * Every OTEL_* variable the README lists, each with a bad value (a settings error naming the
 * field and the variable, never a stack trace) and an edge value that must load.
 */
const otelCases: Array<{ name: string; bad: string; badSays: RegExp; edge: string; check: (s: ReturnType<typeof loadSettings>) => unknown; want: unknown }> = [
  { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', bad: 'collector:4318', badSays: /telemetry\.otlpEndpoint: must be an http\(s\) URL/, edge: 'http://127.0.0.1:4318', check: (s) => s.telemetry.otlpEndpoint, want: 'http://127.0.0.1:4318' },
  { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', bad: 'http/json', badSays: /otlpProtocol: must be 'http\/protobuf' or 'grpc'/, edge: 'grpc', check: (s) => s.telemetry.otlpProtocol, want: 'grpc' },
  { name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', bad: 'ftp://x', badSays: /otlpSignalEndpoints\.traces/, edge: 'http://127.0.0.1:4318/v1/traces', check: (s) => s.telemetry.otlpSignalEndpoints.traces, want: 'http://127.0.0.1:4318/v1/traces' },
  { name: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', bad: 'x', badSays: /otlpSignalEndpoints\.metrics/, edge: 'https://127.0.0.1/m', check: (s) => s.telemetry.otlpSignalEndpoints.metrics, want: 'https://127.0.0.1/m' },
  { name: 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', bad: 'x', badSays: /otlpSignalEndpoints\.logs/, edge: 'http://127.0.0.1:4318/v1/logs', check: (s) => s.telemetry.otlpSignalEndpoints.logs, want: 'http://127.0.0.1:4318/v1/logs' },
  { name: 'OTEL_EXPORTER_OTLP_HEADERS', bad: 'authorization', badSays: /OTEL_EXPORTER_OTLP_HEADERS: pair 1/, edge: 'Authorization=Bearer%20abc,x-org=1', check: (s) => s.telemetry.otlpHeaders, want: { Authorization: 'Bearer abc', 'x-org': '1' } },
  { name: 'OTEL_EXPORTER_OTLP_TIMEOUT', bad: '-5', badSays: /otlpTimeoutMs: must be at least 1 ms/, edge: '1', check: (s) => s.telemetry.otlpTimeoutMs, want: 1 },
  { name: 'OTEL_METRIC_EXPORT_INTERVAL', bad: 'soon', badSays: /metricExportIntervalMs: must be a number of milliseconds/, edge: '1000', check: (s) => s.telemetry.metricExportIntervalMs, want: 1000 },
  { name: 'OTEL_METRIC_EXPORT_TIMEOUT', bad: '20000', badSays: /may not exceed the export interval \(15000 ms\)/, edge: '15000', check: (s) => s.telemetry.metricExportTimeoutMs, want: 15_000 },
  { name: 'OTEL_TRACES_SAMPLER', bad: 'sometimes', badSays: /tracesSampler: must be one of/, edge: ' TraceIdRatio ', check: (s) => s.telemetry.tracesSampler, want: 'traceidratio' },
  { name: 'OTEL_TRACES_SAMPLER_ARG', bad: '1.5', badSays: /tracesSamplerArg: must be a number from 0 to 1/, edge: '0', check: (s) => s.telemetry.tracesSamplerArg, want: 0 },
  { name: 'OTEL_SERVICE_NAME', bad: 'x'.repeat(201), badSays: /serviceName/, edge: 'bruno-lab', check: (s) => s.telemetry.serviceName, want: 'bruno-lab' },
  { name: 'OTEL_RESOURCE_ATTRIBUTES', bad: '=x', badSays: /OTEL_RESOURCE_ATTRIBUTES: pair 1/, edge: 'deployment.environment=lab,host.name=nas', check: (s) => s.telemetry.resourceAttributes, want: { 'deployment.environment': 'lab', 'host.name': 'nas' } },
];

describe('OTEL_* variables', () => {
  for (const c of otelCases) {
    it(`${c.name}: a bad value is a settings error, an edge value loads`, () => {
      const dir = tempDir();
      expect(() => loadSettings({ env: { BRUNO_DATA_DIR: dir, [c.name]: c.bad } })).toThrow(c.badSays);
      expect(() => loadSettings({ env: { BRUNO_DATA_DIR: dir, [c.name]: c.bad } })).toThrow(/^Invalid settings/);
      expect(c.check(loadSettings({ env: { BRUNO_DATA_DIR: dir, [c.name]: c.edge } }))).toEqual(c.want);
    });
  }

  it('OTEL_SDK_DISABLED=true turns export off whatever the endpoint says; other values leave it on', () => {
    const dir = tempDir();
    const env = { BRUNO_DATA_DIR: dir, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    expect(loadSettings({ env: { ...env, OTEL_SDK_DISABLED: 'TRUE' } }).telemetry.otlpEndpoint).toBeNull();
    expect(loadSettings({ env: { ...env, OTEL_SDK_DISABLED: 'false' } }).telemetry.otlpEndpoint).toBe('http://127.0.0.1:4318');
  });

  it('a 1 s metric interval starts the telemetry (the timeout follows the interval down)', async () => {
    const settings = loadSettings({ env: { BRUNO_DATA_DIR: tempDir(), OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_METRIC_EXPORT_INTERVAL: '1000' } });
    const reports: unknown[] = [];
    const telemetry = createTelemetry({ settings: createSettingsStore(settings), serviceVersion: 'test', log: () => {}, redact: (t) => t, report: (e) => reports.push(e) });
    await telemetry.shutdown();
    expect(reports.filter((e) => /exportIntervalMillis/.test(String(e)))).toEqual([]);
  });
});

describe('loopback', () => {
  it('takes only localhost, ::1 and 127.0.0.0/8 literals', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.255.255.254', '::1', '[::1]']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['127.evil.com', '127.0.0.1.nip.io', '127.0.0.256', '0.0.0.0', '192.168.1.10', 'localhost.example', '::ffff:127.0.0.1x']) expect(isLoopbackHost(host), host).toBe(false);
  });
});

describe('the settings store', () => {
  it('hands out frozen snapshots and tells subscribers what changed', () => {
    const settings = loadSettings({ env: { BRUNO_DATA_DIR: tempDir() } });
    const store = createSettingsStore(settings);
    expect(Object.isFrozen(store.get().grafana.dashboards)).toBe(true);
    expect(() => ((store.get() as { chatModel: string }).chatModel = 'x')).toThrow(TypeError);
    const seen: string[][] = [];
    store.subscribe((_s, changed) => seen.push([...changed]));
    store.set({ ...settings, chatModel: 'qwen3:4b' }, ['chatModel']);
    expect(store.get().chatModel).toBe('qwen3:4b');
    expect(seen).toEqual([['chatModel']]);
  });
});

/**
 * Hostile patches, as a settings.update body is parsed from JSON (where `__proto__` is an own
 * key). Before the fix one of these set a property on Object.prototype and the next metrics
 * update ended the process (issue 15).
 */
const hostilePatches: string[] = [
  '{"__proto__":{"polluted":1}}',
  '{"grafana":{"dashboards":{"__proto__":{"polluted":1}}}}',
  '{"grafana":{"__proto__":{"url":"http://127.0.0.1:3000"}}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '{"telemetry":{"otlpHeaders":{"__proto__":"x"}}}',
  '{"telemetry":{"resourceAttributes":{"constructor":{"prototype":{"polluted":1}}}}}',
  '{"telemetry":{"piiPatterns":[{"name":"a","pattern":"b","__proto__":{"polluted":1}}]}}',
  '{"tools":{"policy":{"__proto__":"allow"}}}',
  '{"mcpServers":{"x":{"url":"http://127.0.0.1:1/mcp","headers":{"prototype":"y"}}}}',
  '{"chatModel":"ok","prototype":{"polluted":1}}',
];

describe('hostile settings patches', () => {
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  it('are refused, naming the key, and leave the file, the store and Object.prototype alone', () => {
    const dir = tempDir();
    const file = join(dir, 'settings.json');
    writeFileSync(file, '{"chatModel":"llama3.1:8b"}\n');
    const store = createSettingsStore(loadSettings({ env: { BRUNO_DATA_DIR: dir } }));
    const editor = createSettingsEditor({ store, env: { BRUNO_DATA_DIR: dir } });
    for (const text of hostilePatches) {
      const result = editor.update(JSON.parse(text) as Record<string, unknown>);
      expect(result.ok, text).toBe(false);
      expect(Object.values(result.fieldErrors).join(' '), text).toMatch(/is not a settings field/);
      expect(result.applied).toEqual([]);
      expect(({} as Record<string, unknown>).polluted, text).toBeUndefined();
    }
    expect(readFileSync(file, 'utf8')).toBe('{"chatModel":"llama3.1:8b"}\n');
    expect(store.get().chatModel).toBe('llama3.1:8b');
  });

  it('a settings file with hostile keys does not pollute either', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), '{"grafana":{"dashboards":{"__proto__":{"polluted":1}}},"__proto__":{"polluted":2}}');
    try {
      loadSettings({ env: { BRUNO_DATA_DIR: dir } });
    } catch {
      // Refusing the file is as good as ignoring the keys; polluting is not.
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(existsSync(join(dir, 'settings.json'))).toBe(true);
  });

  it('applied names only paths of the table', () => {
    const dir = tempDir();
    const store = createSettingsStore(loadSettings({ env: { BRUNO_DATA_DIR: dir } }));
    const editor = createSettingsEditor({ store, env: { BRUNO_DATA_DIR: dir } });
    const result = editor.update({ chatModel: 'qwen3:4b', grafana: { dashboards: { extra: 'x' } } } as Record<string, unknown>);
    expect(result.ok).toBe(false);
    expect(result.fieldErrors['grafana.dashboards.extra']).toBe('not a setting');
    const good = editor.update({ chatModel: 'qwen3:4b', tools: { policy: { loki_query: 'off' } } });
    expect(good).toMatchObject({ ok: true, applied: ['chatModel', 'tools.policy.loki_query'] });
    expect(store.get().tools.policy).toEqual({ loki_query: 'off' });
  });
});

describe('BRUNO_LOG_LEVEL', () => {
  it('is read by config only: any case, `warning` for warn; a misspelt level is a settings error', () => {
    const dir = tempDir();
    expect(loadSettings({ env: { BRUNO_DATA_DIR: dir, BRUNO_LOG_LEVEL: ' DEBUG ' } }).telemetry.logLevel).toBe('debug');
    expect(loadSettings({ env: { BRUNO_DATA_DIR: dir, BRUNO_LOG_LEVEL: 'Warning' } }).telemetry.logLevel).toBe('warn');
    expect(() => loadSettings({ env: { BRUNO_DATA_DIR: dir, BRUNO_LOG_LEVEL: 'verbose' } })).toThrow(/telemetry\.logLevel: must be one of debug, info, warn, error \(from BRUNO_LOG_LEVEL\)/);
  });
});

describe('the README', () => {
  it('names every environment variable of the setting table in its configuration table', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
    const vars = [...new Set(settingRows.flatMap((r) => (r.env ?? []).flatMap((source) => source.vars)))];
    expect(vars.filter((v) => !table.includes(`\`${v}\``))).toEqual([]);
  });
});
