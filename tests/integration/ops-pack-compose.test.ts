import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultTree } from '../../core/config';

const defaults = defaultTree('/data') as { telemetry: { metricsAddr: string }; grafana: { tempoDatasourceUid: string } };
import { parseAlloy, stringValue, type AlloyBlock } from '../support/ops/alloy';
import { opsPaths, resourcesDir } from '../support/ops/paths';
import { loadRules } from '../support/ops/rules';

// resources/compose cannot run here (no Docker engine); these checks keep what it mounts and the
// addresses the services use to reach each other consistent with the configs the other tests check.
interface Service {
  image?: string;
  network_mode?: string;
  command?: string[] | string;
  environment?: Record<string, string>;
  volumes?: string[];
}
const compose = parse(readFileSync(opsPaths.composeFile, 'utf8')) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const services = compose.services;
const yamlAt = <T>(path: string) => parse(readFileSync(path, 'utf8')) as T;

/** Bind mounts of a service: host path (absolute) -> container path. Named volumes are skipped. */
function binds(service: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of services[service]?.volumes ?? []) {
    const [source, target] = v.split(':');
    if (!source || !target || !/^[./]/.test(source)) continue;
    out.set(resolve(opsPaths.composeDir, source), target);
  }
  return out;
}
const args = (service: string) => {
  const c = services[service]?.command ?? [];
  return Array.isArray(c) ? c : c.split(/\s+/);
};
const flag = (service: string, name: string) => args(service).find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
const portOf = (address: string | undefined) => Number(/:(\d+)(?:\/|$)/.exec(address ?? '')?.[1]);

const alloy = parseAlloy(readFileSync(opsPaths.alloyConfig, 'utf8'));
const alloyBlock = (name: string): AlloyBlock => alloy.find((b) => b.name === name)!;
const inner = (b: AlloyBlock, name: string) => b.blocks.find((x) => x.name === name)!;

describe('compose stack (resources/compose/compose.yml)', () => {
  it('has Alloy, Tempo, Loki, Prometheus, Alertmanager and Grafana, images pinned', () => {
    for (const name of ['alloy', 'tempo', 'loki', 'prometheus', 'alertmanager', 'grafana']) {
      expect(services[name], name).toBeDefined();
      expect(services[name]!.image, name).toMatch(/:[\w.-]*\d[\w.-]*$/);
      expect(services[name]!.image, name).not.toMatch(/:latest$/);
    }
  });

  it('every bind-mounted file or folder exists in the repository', () => {
    for (const name of Object.keys(services)) {
      for (const source of binds(name).keys()) expect(existsSync(source), `${name}: ${relative(resourcesDir, source)}`).toBe(true);
    }
    for (const v of Object.values(services).flatMap((s) => s.volumes ?? []).filter((v) => !/^[./]/.test(v))) {
      expect(Object.keys(compose.volumes ?? {}), v).toContain(v.split(':')[0]);
    }
  });

  it('mounts exactly the configs the other ops-pack tests check', () => {
    expect(binds('prometheus').get(opsPaths.prometheusConfig)).toBe(flag('prometheus', '--config.file'));
    expect(binds('prometheus').get(opsPaths.rulesDir)).toBe('/etc/prometheus/rules');
    expect(binds('alertmanager').get(opsPaths.alertmanagerConfig)).toBe(flag('alertmanager', '--config.file'));
    expect(args('alloy')).toContain(binds('alloy').get(opsPaths.alloyConfig));
    expect(binds('grafana').get(join(opsPaths.grafanaProvisioningDir, 'datasources'))).toBe('/etc/grafana/provisioning/datasources');
    expect(binds('grafana').get(join(opsPaths.grafanaProvisioningDir, 'dashboards'))).toBe('/etc/grafana/provisioning/dashboards');
    expect(binds('grafana').get(opsPaths.provisionedDir)).toBeDefined();
    expect(binds('tempo').get(join(opsPaths.composeDir, 'tempo.yml'))).toBe(args('tempo').find((a) => a.startsWith('-config.file='))?.slice('-config.file='.length));
    expect(binds('loki').get(join(opsPaths.composeDir, 'loki.yml'))).toBe(args('loki').find((a) => a.startsWith('-config.file='))?.slice('-config.file='.length));
  });

  it('Prometheus: remote-write receiver, exemplar storage, retention for the 30-day SLO windows', () => {
    expect(args('prometheus')).toContain('--web.enable-remote-write-receiver');
    expect(args('prometheus')).toContain('--enable-feature=exemplar-storage');
    expect(Number(/^(\d+)d$/.exec(flag('prometheus', '--storage.tsdb.retention.time') ?? '')?.[1])).toBeGreaterThanOrEqual(31);
  });

  it('services share the host network, so the loopback addresses of the configs line up', () => {
    for (const name of ['alloy', 'tempo', 'loki', 'prometheus', 'alertmanager', 'grafana']) expect(services[name]!.network_mode, name).toBe('host');
    const prometheusPort = portOf(flag('prometheus', '--web.listen-address'));
    const alertmanagerPort = portOf(flag('alertmanager', '--web.listen-address'));
    const tempo = yamlAt<{ server: { http_listen_port: number }; distributor: { receivers: { otlp: { protocols: { grpc: { endpoint: string } } } } } }>(join(opsPaths.composeDir, 'tempo.yml'));
    const loki = yamlAt<{ server: { http_listen_port: number } }>(join(opsPaths.composeDir, 'loki.yml'));

    // Prometheus -> Alertmanager, and the app's /metrics default.
    const prom = yamlAt<{ alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] }; scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] }>(opsPaths.prometheusConfig);
    expect(prom.alerting.alertmanagers[0]!.static_configs[0]!.targets).toEqual([`127.0.0.1:${alertmanagerPort}`]);
    const app = prom.scrape_configs.find((s) => s.job_name === 'agent-bruno');
    expect(app?.static_configs[0]!.targets).toEqual([defaults.telemetry.metricsAddr]);

    // Alloy -> Tempo, Prometheus, Loki; and Alloy's OTLP ports do not collide with Tempo's.
    expect(portOf(stringValue(inner(alloy.find((b) => b.name === 'otelcol.exporter.otlp' && b.label === 'tempo')!, 'client').attrs.endpoint))).toBe(portOf(tempo.distributor.receivers.otlp.protocols.grpc.endpoint));
    expect(portOf(stringValue(inner(alloyBlock('prometheus.remote_write'), 'endpoint').attrs.url))).toBe(prometheusPort);
    expect(portOf(stringValue(inner(alloyBlock('loki.write'), 'endpoint').attrs.url))).toBe(loki.server.http_listen_port);
    const otlp = alloyBlock('otelcol.receiver.otlp');
    expect([4317, 4318]).not.toContain(portOf(tempo.distributor.receivers.otlp.protocols.grpc.endpoint));
    expect(portOf(stringValue(inner(otlp, 'grpc').attrs.endpoint))).toBe(4317);

    // Grafana -> data sources.
    const ds = yamlAt<{ datasources: { uid: string; type: string; url: string }[] }>(join(opsPaths.grafanaProvisioningDir, 'datasources', 'agent-bruno.yml')).datasources;
    const url = (type: string) => ds.find((d) => d.type === type)!.url;
    expect(portOf(url('prometheus'))).toBe(prometheusPort);
    expect(portOf(url('tempo'))).toBe(tempo.server.http_listen_port);
    expect(portOf(url('loki'))).toBe(loki.server.http_listen_port);
    expect(portOf(url('alertmanager'))).toBe(alertmanagerPort);
  });

  it('the Logfire token is passed to Alloy only, from the environment', () => {
    expect(services.alloy!.environment?.LOGFIRE_TOKEN).toMatch(/^\$\{LOGFIRE_TOKEN(:-)?\}$/);
    for (const [name, s] of Object.entries(services)) if (name !== 'alloy') expect(JSON.stringify(s), name).not.toContain('LOGFIRE');
    expect(readFileSync(join(opsPaths.composeDir, '.env.example'), 'utf8')).toMatch(/^LOGFIRE_TOKEN=$/m);
    expect(readFileSync(join(opsPaths.composeDir, '.gitignore'), 'utf8')).toMatch(/^\.env$/m);
    expect(readFileSync(join(opsPaths.composeDir, 'secrets', 'alertmanager', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
  });
});

describe('Grafana provisioning (resources/grafana/provisioning)', () => {
  const ds = yamlAt<{ datasources: { uid: string; type: string; jsonData?: Record<string, unknown> }[] }>(join(opsPaths.grafanaProvisioningDir, 'datasources', 'agent-bruno.yml')).datasources;

  it('Prometheus links its trace_id exemplars to Tempo, whose uid is the one the app links to', () => {
    const tempo = ds.find((d) => d.type === 'tempo')!;
    expect(tempo.uid).toBe(defaults.grafana.tempoDatasourceUid);
    expect(ds.find((d) => d.type === 'prometheus')!.jsonData?.exemplarTraceIdDestinations).toEqual([{ name: 'trace_id', datasourceUid: tempo.uid }]);
    expect(ds.find((d) => d.type === 'loki')).toBeDefined();
    for (const d of ds) for (const ref of JSON.stringify(d.jsonData ?? {}).matchAll(/"datasourceUid":"([^"]+)"/g)) expect(ds.map((x) => x.uid), `${d.uid} -> ${ref[1]}`).toContain(ref[1]);
  });

  it('the dashboard provider reads the folder the provisioned copies are mounted at', () => {
    const providers = yamlAt<{ providers: { type: string; options: { path: string } }[] }>(join(opsPaths.grafanaProvisioningDir, 'dashboards', 'agent-bruno.yml')).providers;
    expect(providers.map((p) => p.options.path)).toEqual([binds('grafana').get(opsPaths.provisionedDir)]);
    const home = services.grafana!.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
    expect(existsSync(join(opsPaths.provisionedDir, relative(providers[0]!.options.path, home)))).toBe(true);
  });
});

describe('the guide (resources/README.md)', () => {
  it('explains the stack, says it cannot run in the test environment, and names the checks', () => {
    const guide = readFileSync(opsPaths.guide, 'utf8');
    expect(guide).toMatch(/docker compose/);
    expect(guide).toMatch(/no Docker/i);
    for (const tool of ['promtool check rules', 'promtool test rules', 'amtool check-config', 'sync-dashboards']) expect(guide).toContain(tool);
  });

  it('lists every shipped alert with its severity', () => {
    const guide = readFileSync(opsPaths.guide, 'utf8');
    for (const rule of loadRules()) {
      if (!rule.alert) continue;
      const row = guide.split('\n').find((l) => l.startsWith(`| ${rule.alert} |`));
      expect(row, rule.alert).toBeDefined();
      expect(row!.trim().endsWith(`| ${rule.labels.severity} |`), `${rule.alert}: ${row}`).toBe(true);
      expect(row!.split('|')[3]!.trim(), `${rule.alert} for`).toBe(rule.for ?? '-');
    }
  });
});
