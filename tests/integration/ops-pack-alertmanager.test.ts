import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadRules } from '../support/ops/rules';
import { opsPaths } from '../support/ops/paths';
import { freePort, missingToolMessage, runTool } from '../support/ops/tools';

// resources/alertmanager/alertmanager.yml, checked by amtool and loaded by the real Alertmanager 0.25.

function routesTo(labels: Record<string, string>): string[] {
  const args = ['config', 'routes', 'test', `--config.file=${opsPaths.alertmanagerConfig}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)];
  const result = runTool('amtool', args);
  expect(result.status, result.output).toBe(0);
  const line = result.output.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('Warning:'));
  return (line ?? '').split(',').filter(Boolean);
}

describe('Alertmanager config (amtool)', () => {
  it('amtool check-config is clean', () => {
    const result = runTool('amtool', ['check-config', opsPaths.alertmanagerConfig]);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
  });

  // The seed's routing (6.5) plus the severities the seed's rules also use (warning, info).
  const receiversBySeverity: Record<string, string[]> = {
    critical: ['pagerduty', 'slack_urgent'],
    high: ['slack_urgent'],
    medium: ['slack_general'],
    warning: ['slack_general'],
    low: ['ticket_webhook'],
    info: ['ticket_webhook'],
  };

  it.each(Object.entries(receiversBySeverity))('severity=%s routes to %j', (severity, receivers) => {
    expect(routesTo({ alertname: 'X', severity })).toEqual(receivers);
  });

  it('alerts without a severity go to the default receiver; every severity the rules use is routed', () => {
    expect(routesTo({ alertname: 'Unlabelled' })).toEqual(['slack_general']);
    for (const rule of loadRules()) if (rule.alert) expect(Object.keys(receiversBySeverity), rule.alert).toContain(rule.labels.severity);
  });

  it('holds no secret: keys, webhook URLs and tokens come from files under /etc/alertmanager/secrets', () => {
    const text = readFileSync(opsPaths.alertmanagerConfig, 'utf8');
    const config = parse(text) as { receivers: Record<string, unknown[] | string>[] };
    expect(text).not.toMatch(/hooks\.slack\.com|service_key:|routing_key:|api_url:|credentials:/);
    const files = [...text.matchAll(/_file:\s*(\S+)/g)].map((m) => m[1]!);
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) expect(f).toMatch(/^\/etc\/alertmanager\/secrets\/\w+$/);
    expect(config.receivers.map((r) => r.name).sort()).toEqual(['pagerduty', 'slack_general', 'slack_urgent', 'ticket_webhook']);
  });
});

describe('the real Alertmanager loads the config, routes and inhibits', () => {
  let child: ChildProcess | undefined;
  let base = '';
  let output = '';
  const storage = mkdtempSync(join(tmpdir(), 'bruno-am-'));

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn('prometheus-alertmanager', [`--config.file=${opsPaths.alertmanagerConfig}`, `--storage.path=${storage}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], { stdio: ['ignore', 'pipe', 'pipe'] });
    const spawnError = new Promise<never>((_, reject) => child!.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new Error(missingToolMessage('prometheus-alertmanager')) : err)));
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const ready = (async () => {
      for (let i = 0; i < 100; i++) {
        if (child!.exitCode !== null) throw new Error(`Alertmanager exited (${child!.exitCode}):\n${output}`);
        try {
          if ((await fetch(`${base}/-/ready`)).ok) return;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`Alertmanager did not become ready:\n${output}`);
    })();
    await Promise.race([ready, spawnError]);
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(storage, { recursive: true, force: true });
  });

  it('a critical alert goes to PagerDuty and Slack; the same alert at high severity is inhibited', async () => {
    const startsAt = new Date().toISOString();
    const alert = (severity: string) => ({ labels: { alertname: 'OllamaUnreachable', severity, component: 'ollama' }, annotations: { summary: 's', description: 'd', runbook_url: 'https://wiki/runbooks/agent-bruno/ollama-connection-issues' }, startsAt });
    const slow = { labels: { alertname: 'OllamaSlowTTFT', severity: 'warning', component: 'ollama', model: 'llama3.1:8b' }, annotations: { summary: 's' }, startsAt };
    const posted = await fetch(`${base}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([alert('critical'), alert('high'), slow]) });
    expect(posted.status, await posted.text()).toBe(200);

    type AmAlert = { labels: Record<string, string>; receivers: { name: string }[]; status: { state: string; inhibitedBy: string[] } };
    let alerts: AmAlert[] = [];
    for (let i = 0; i < 50; i++) {
      alerts = (await (await fetch(`${base}/api/v2/alerts`)).json()) as AmAlert[];
      if (alerts.length === 3 && alerts.every((a) => a.status.state !== 'unprocessed')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const find = (name: string, severity: string) => alerts.find((a) => a.labels.alertname === name && a.labels.severity === severity)!;
    const critical = find('OllamaUnreachable', 'critical');
    expect(critical.receivers.map((r) => r.name).sort()).toEqual(['pagerduty', 'slack_urgent']);
    expect(critical.status.state).toBe('active');
    expect(find('OllamaUnreachable', 'high').status).toMatchObject({ state: 'suppressed' });
    expect(find('OllamaUnreachable', 'high').status.inhibitedBy.length).toBe(1);
    // Ollama unreachable also silences its consequences (slow TTFT) from the same component.
    expect(find('OllamaSlowTTFT', 'warning').status.state).toBe('suppressed');
  });

  type AmAlert = { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } };
  const post = async (alerts: unknown[]) => {
    const posted = await fetch(`${base}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
    expect(posted.status, await posted.text()).toBe(200);
  };
  /** The state of each named alert, once Alertmanager has processed them all and `ready` holds. */
  const statesOf = async (names: string[], ready: (states: Record<string, string>) => boolean) => {
    let states: Record<string, string> = {};
    for (let i = 0; i < 50; i++) {
      const alerts = (await (await fetch(`${base}/api/v2/alerts?active=true&silenced=true&inhibited=true`)).json()) as AmAlert[];
      states = Object.fromEntries(names.map((n) => [n, alerts.find((a) => a.labels.alertname === n && a.labels.probe === 'ollama-down')?.status.state ?? 'missing']));
      if (ready(states)) return states;
      await new Promise((r) => setTimeout(r, 100));
    }
    return states;
  };

  it('OllamaDown inhibits the Ollama, latency and error alerts it causes, and only while it fires', async () => {
    // The previous test's OllamaUnreachable would inhibit the Ollama alerts too: resolve what is there.
    const before = (await (await fetch(`${base}/api/v2/alerts`)).json()) as (AmAlert & { annotations: Record<string, string>; startsAt: string })[];
    if (before.length) await post(before.map((a) => ({ labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, endsAt: new Date().toISOString() })));
    const startsAt = new Date().toISOString();
    const alert = (alertname: string, severity: string, component: string) => ({ labels: { alertname, severity, component, probe: 'ollama-down' }, annotations: { summary: 's' }, startsAt });
    const resolved = <T extends object>(a: T) => ({ ...a, endsAt: new Date().toISOString() });
    const consequences = [
      alert('OllamaSlowTokenGeneration', 'warning', 'ollama'),
      alert('OllamaSlowTTFT', 'warning', 'ollama'),
      alert('HighLatency', 'high', 'api_server'),
      alert('HighErrorRate', 'critical', 'api_server'),
      alert('RAGSlowRetrieval', 'high', 'rag'),
    ];
    // Not caused by Ollama: stays active throughout.
    const unrelated = alert('RequestRateSpike', 'medium', 'api_server');
    const names = [...consequences.map((a) => a.labels.alertname), unrelated.labels.alertname];
    const allActive = (s: Record<string, string>) => names.every((n) => s[n] === 'active');
    const active = Object.fromEntries(names.map((n) => [n, 'active']));

    await post([...consequences, unrelated]);
    expect(await statesOf(names, allActive)).toEqual(active);

    const down = alert('OllamaDown', 'critical', 'ollama');
    const unreachable = alert('OllamaUnreachable', 'critical', 'ollama');
    await post([down, unreachable]);
    const all = [...names, 'OllamaDown', 'OllamaUnreachable'];
    const during = await statesOf(all, (s) => s.HighLatency === 'suppressed' && s.OllamaUnreachable === 'suppressed' && s.OllamaDown !== 'missing');
    // The cause pages: OllamaUnreachable (also critical, also component=ollama) must not inhibit it back.
    expect(during.OllamaDown).toBe('active');
    expect(during.OllamaUnreachable).toBe('suppressed');
    for (const c of consequences) expect(during[c.labels.alertname], c.labels.alertname).toBe('suppressed');
    expect(during.RequestRateSpike).toBe('active');

    // Ollama is back (both resolved): the consequences, if they still hold, notify again.
    await post([resolved(down), resolved(unreachable)]);
    expect(await statesOf(names, allActive)).toEqual(active);
  });
});
