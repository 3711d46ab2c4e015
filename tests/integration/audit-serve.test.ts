/**
 * Audit lines of the real `agent-bruno serve` process (issue 16): each refused request leaves
 * exactly one line in the log file, under the logger `agent_bruno.audit` with `audit: true`, with
 * its reason, endpoint, method and client address and never the token; settings changes name
 * their paths and mask secret values; ingest and removal of sources are recorded.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { assertBuilt, startCliProcess } from '../support/built-app';
import { tempDir } from '../support/core-harness';
import { statusWithHost } from '../support/raw-http';

let fake: FakeOllama;
let child: ChildProcess;
let url: string;
let metricsUrl: string;
let dataDir: string;
let docsDir: string;
const token = 'audit-test-token-0123456789abcdef';
const wrongToken = 'wrong-token-that-must-not-be-logged-42';
const secretHeader = 'header-secret-value-that-must-not-be-logged';
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

interface AuditLine {
  level: string;
  logger: string;
  message: string;
  context: Record<string, unknown>;
}

const logText = () => readFileSync(join(dataDir, 'logs', 'agent-bruno.log'), 'utf8');
const auditLines = (): AuditLine[] =>
  logText()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditLine)
    .filter((l) => l.logger === 'agent_bruno.audit');

/** Runs `action` and returns the audit lines it added. */
async function newAuditLines(action: () => Promise<unknown>): Promise<AuditLine[]> {
  const before = auditLines().length;
  await action();
  return auditLines().slice(before);
}

const invoke = (channel: string, body: unknown) =>
  fetch(`${url}/api/v1/invoke/${channel}`, { method: 'POST', headers: auth, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) }).then((r) => r.json());

beforeAll(async () => {
  assertBuilt();
  fake = await startFakeOllama({ tokensPerSecond: 0, replyText: 'All targets are up.' });
  dataDir = tempDir('bruno-audit-');
  docsDir = tempDir('bruno-audit-docs-');
  mkdirSync(join(docsDir, 'notes'));
  writeFileSync(join(docsDir, 'notes', 'nas.md'), '# NAS\n\nThe NAS is backed up nightly at 02:00 to the offsite box.\n');
  const started = await startCliProcess(
    ['serve', '--port', '0'],
    { OLLAMA_HOST: fake.url, BRUNO_DATA_DIR: dataDir, BRUNO_API_TOKEN: token, BRUNO_METRICS_ADDR: '127.0.0.1:0', BRUNO_KB_ALLOWED_ROOTS: docsDir },
    /Prometheus metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)/,
  );
  child = started.child;
  metricsUrl = started.match[1]!;
  url = /(http:\/\/127\.0\.0\.1:\d+)\/#token/.exec(started.output())![1]!;
});
afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  await fake?.close();
});

describe('audit lines of agent-bruno serve', () => {
  it('a refused token leaves exactly one audit line, with reason, endpoint, method and address, and no token', async () => {
    const lines = await newAuditLines(async () => {
      const res = await fetch(`${url}/api/v1/chat`, { method: 'POST', headers: { authorization: `Bearer ${wrongToken}`, 'content-type': 'application/json' }, body: '{"message":"hi"}' });
      expect(res.status).toBe(401);
      await res.text();
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'WARN',
      logger: 'agent_bruno.audit',
      context: { audit: true, event_type: 'auth_refused', reason: 'wrong bearer token', endpoint: '/api/v1/chat', method: 'POST', status_code: 401, client_address: '127.0.0.1' },
    });
    // Neither the wrong token nor the real one is anywhere in the log.
    expect(logText()).not.toContain(wrongToken);
    expect(logText()).not.toContain(token);

    const missing = await newAuditLines(async () => (await fetch(`${url}/api/v1/invoke/health.get`, { method: 'POST', body: '{}' })).text());
    expect(missing.map((l) => [l.context.event_type, l.context.reason, l.context.endpoint])).toEqual([['auth_refused', 'no bearer token', '/api/v1/invoke/health.get']]);
    const mcp = await newAuditLines(async () => expect((await fetch(`${url}/mcp`, { method: 'POST', headers: { authorization: `Bearer ${wrongToken}` }, body: '{}' })).status).toBe(401));
    expect(mcp.map((l) => [l.context.event_type, l.context.endpoint])).toEqual([['auth_refused', '/mcp']]);
    expect(logText()).not.toContain(wrongToken);
  });

  it('a foreign Host on the API and on /metrics is one audit line each', async () => {
    const api = await newAuditLines(async () => expect(await statusWithHost(`${url}/api/v1/health`, 'evil.example:80', { authorization: `Bearer ${token}` })).toBe(421));
    expect(api.map((l) => [l.context.event_type, l.context.endpoint, l.context.status_code])).toEqual([['host_refused', '/api/v1/health', 421]]);
    const metrics = await newAuditLines(async () => expect(await statusWithHost(metricsUrl, 'evil.example:9464')).toBe(421));
    expect(metrics.map((l) => [l.context.event_type, l.context.endpoint])).toEqual([['host_refused', '/metrics']]);
  });

  it('forbidden keys in a contract call and in a chat body are audited once each', async () => {
    const viaInvoke = await newAuditLines(() => fetch(`${url}/api/v1/invoke/kb.search`, { method: 'POST', headers: auth, body: '{"query":"x","__proto__":{"polluted":1}}' }).then((r) => r.text()));
    expect(viaInvoke.map((l) => [l.context.event_type, l.context.endpoint, l.context.reason])).toEqual([['forbidden_keys_refused', '/api/v1/invoke/kb.search', 'forbidden key __proto__']]);
    const viaChat = await newAuditLines(async () => {
      const res = await fetch(`${url}/api/v1/chat`, { method: 'POST', headers: auth, body: '{"message":"hi","constructor":{"prototype":1}}' });
      expect(res.status).toBe(400);
      await res.text();
    });
    expect(viaChat.map((l) => [l.context.event_type, l.context.endpoint, l.context.status_code])).toEqual([['forbidden_keys_refused', '/api/v1/chat', 400]]);
  });

  it('a settings change names its paths, shows plain values and masks secrets', async () => {
    const lines = await newAuditLines(async () => {
      const envelope = (await invoke('settings.update', { patch: { chatModel: 'qwen2.5:7b', telemetry: { otlpHeaders: { 'x-api-key': secretHeader } } } })) as { ok: boolean; result: { ok: boolean } };
      expect(envelope.ok && envelope.result.ok).toBe(true);
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe('INFO');
    expect(lines[0]!.context).toMatchObject({
      audit: true,
      event_type: 'settings_changed',
      origin: 'http',
      paths: ['chatModel', 'telemetry.otlpHeaders.x-api-key'],
      changes: { chatModel: 'qwen2.5:7b', 'telemetry.otlpHeaders.x-api-key': '********' },
    });
    expect(logText()).not.toContain(secretHeader);
  });

  it('a refused ingest root, an ingest and a removal are each one audit line', async () => {
    const refused = await newAuditLines(async () => {
      const envelope = (await invoke('kb.ingest', { paths: [dataDir] })) as { ok: boolean };
      expect(envelope.ok).toBe(false);
    });
    expect(refused.map((l) => [l.context.event_type, l.context.paths])).toEqual([['ingest_refused', [dataDir]]]);
    expect(String(refused[0]!.context.reason)).toMatch(/data folder|outside the folders/);

    const folder = join(docsDir, 'notes');
    const started = await newAuditLines(async () => {
      const envelope = (await invoke('kb.ingest', { paths: [folder] })) as { ok: boolean; result: { jobId: string } };
      expect(envelope.ok).toBe(true);
    });
    expect(started.map((l) => [l.context.event_type, l.context.paths, l.context.origin])).toEqual([['kb_ingest_started', [folder], 'http']]);

    // The job runs in the background; removal is audited whether or not it found the source yet.
    const removed = await newAuditLines(async () => expect(((await invoke('kb.remove', { path: folder })) as { ok: boolean }).ok).toBe(true));
    expect(removed.map((l) => [l.context.event_type, l.context.path])).toEqual([['kb_source_removed', folder]]);
  });

  it('allowed requests leave no audit line', async () => {
    const lines = await newAuditLines(async () => {
      const chat = await fetch(`${url}/api/v1/chat`, { method: 'POST', headers: auth, body: JSON.stringify({ message: 'Is any target down?', model: 'llama3.1:8b' }) });
      expect(await chat.text()).toMatch(/"type":"done"/);
      expect((await fetch(`${url}/api/v1/health`, { headers: auth })).status).toBe(200);
    });
    expect(lines).toEqual([]);
  });
});
