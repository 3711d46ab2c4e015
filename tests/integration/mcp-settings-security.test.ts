/**
 * Who may make the app run a command: a stdio MCP server can be added or changed only in
 * settings.json or from the desktop window (IPC), never over the headless HTTP API. Tested over
 * real HTTP against the real headless server; env and header values are masked and round-trip.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { loadSettings } from '../../core/config';
import { createCore, type Core } from '../../core/runtime';
import { startHttpServer, type RunningHttpServer } from '../../core/server';
import { logFilePath } from '../../core/telemetry/logging/log-file-location';
import { tempDir } from '../support/core-harness';

const fixture = fileURLToPath(new URL('../support/mcp/stdio-fixture.mjs', import.meta.url));
const token = 'mcp-security-token-0123456789';
const envSecret = 'nas-env-secret-value-42';
const headerSecret = 'Bearer header-secret-value-99';

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama({ tokensPerSecond: 0 });
});
afterAll(async () => {
  await fake.close();
});

interface Running {
  dir: string;
  core: Core;
  server: RunningHttpServer;
  update(patch: unknown): Promise<{ ok: boolean; fieldErrors: Record<string, string>; applied: string[] }>;
  file(): Record<string, unknown>;
}
let running: Running[] = [];
afterEach(async () => {
  for (const r of running) {
    await r.server.close();
    await r.core.close();
  }
  running = [];
});

async function headless(fileSettings: Record<string, unknown> = {}): Promise<Running> {
  const dir = tempDir();
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(fileSettings));
  const env = { BRUNO_DATA_DIR: dir, OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '' };
  const core = createCore({ settings: loadSettings({ env }), env, mcp: { timing: { backoffInitialMs: 200, backoffMaxMs: 400 } } });
  const server = await startHttpServer({ core, host: '127.0.0.1', port: 0, token, staticDir: dir });
  const r: Running = {
    dir,
    core,
    server,
    async update(patch) {
      const res = await fetch(`${server.url}/api/v1/invoke/settings.update`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ patch }) });
      const envelope = (await res.json()) as { ok: boolean; result: never };
      expect(envelope.ok).toBe(true);
      return envelope.result;
    },
    file: () => JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as Record<string, unknown>,
  };
  running.push(r);
  return r;
}

const stdioEntry = (startsFile: string, extra: Record<string, unknown> = {}) => ({ command: process.execPath, args: [fixture], env: { FIXTURE_STARTS: startsFile, NAS_TOKEN: envSecret }, ...extra });

describe('stdio MCP servers over the HTTP API', () => {
  it('adding one is refused with a message naming settings.json and the desktop app; nothing is saved or run', async () => {
    const r = await headless();
    const starts = join(r.dir, 'starts');
    const result = await r.update({ mcpServers: { sneaky: stdioEntry(starts) } });
    expect(result.ok).toBe(false);
    expect(result.fieldErrors['mcpServers.sneaky']).toMatch(/command this machine runs.*only in .*settings\.json or in the desktop app, not through the HTTP API/);
    expect(r.file()).toEqual({});
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(existsSync(starts)).toBe(false);
    expect(r.core.mcp.health()).toEqual([]);
  });

  it('changing the command, args, env or cwd of one from the file is refused; disabled, removal and HTTP servers are not', async () => {
    const starts = join(tempDir(), 'starts');
    const r = await headless({ mcpServers: { nas: stdioEntry(starts, { disabled: true }) } });
    for (const change of [{ command: '/bin/sh' }, { args: ['-c', 'touch /tmp/pwned'] }, { env: { NODE_OPTIONS: '--require /tmp/evil.js' } }, { cwd: '/tmp' }]) {
      const result = await r.update({ mcpServers: { nas: change } });
      expect(result.ok, JSON.stringify(change)).toBe(false);
      expect(result.fieldErrors['mcpServers.nas']).toMatch(/not through the HTTP API/);
    }
    // A URL entry turned into a command is a new command too.
    const http = await r.update({ mcpServers: { web: { url: 'http://127.0.0.1:9/mcp', headers: { Authorization: headerSecret } } } });
    expect(http).toMatchObject({ ok: true, applied: expect.arrayContaining(['mcpServers.web.url']) });
    expect((await r.update({ mcpServers: { web: { command: 'sh' } } })).ok).toBe(false);

    // Turning on what the file already configured runs nothing new: allowed.
    const enable = await r.update({ mcpServers: { nas: { disabled: false } } });
    expect(enable.ok).toBe(true);
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 10_000;
      const poll = () => (r.core.mcp.health().find((h) => h.name === 'nas')?.state === 'connected' ? resolve() : Date.now() > deadline ? reject(new Error('nas did not connect')) : setTimeout(poll, 50));
      poll();
    });
    const removed = await r.update({ mcpServers: { nas: null } });
    expect(removed.ok).toBe(true);
    expect(Object.keys(r.file().mcpServers as object)).toEqual(['web']);
    expect(r.core.mcp.health().map((h) => h.name)).toEqual(['web']);
  });

  it('masks env and header values in settings.get; a masked value sent back keeps the secret', async () => {
    const starts = join(tempDir(), 'starts');
    const r = await headless({ mcpServers: { nas: stdioEntry(starts, { disabled: true }), web: { url: 'http://127.0.0.1:9/mcp', headers: { Authorization: headerSecret } } } });
    const res = await fetch(`${r.server.url}/api/v1/invoke/settings.get`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    expect(text).not.toContain(envSecret);
    expect(text).not.toContain('header-secret-value');
    const view = (JSON.parse(text) as { result: { values: { mcpServers: Record<string, Record<string, unknown>> } } }).result.values;
    expect(view.mcpServers.nas!.env).toEqual({ FIXTURE_STARTS: '********', NAS_TOKEN: '********' });
    expect(view.mcpServers.web!.headers).toEqual({ Authorization: '********' });
    expect(view.mcpServers.nas!.command).toBe(process.execPath);

    // The form sends back what it was shown: no command change, secrets kept.
    const roundTrip = await r.update({ mcpServers: { ...view.mcpServers, web: { ...view.mcpServers.web, url: 'http://127.0.0.1:10/mcp' } } });
    expect(roundTrip.ok).toBe(true);
    const saved = r.file().mcpServers as Record<string, Record<string, Record<string, string>>>;
    expect(saved.nas!.env!.NAS_TOKEN).toBe(envSecret);
    expect(saved.web!.headers!.Authorization).toBe(headerSecret);
    expect(saved.web!.url).toBe('http://127.0.0.1:10/mcp');

    // A mask for a server that has no stored secret would lose it: refused.
    const renamed = await r.update({ mcpServers: { web2: { url: 'http://127.0.0.1:11/mcp', headers: { Authorization: '********' } } } });
    expect(renamed).toMatchObject({ ok: false, fieldErrors: { 'mcpServers.web2.headers.Authorization': expect.stringMatching(/type the value/) } });
  });
});

describe('stdio MCP servers from the desktop window', () => {
  it('the IPC origin may add one; it starts, and the secrets stay out of the log', async () => {
    const r = await headless();
    const starts = join(r.dir, 'starts');
    const result = await r.core.handlers['settings.update']({ patch: { mcpServers: { nas: stdioEntry(starts) } } }, { origin: 'ipc' });
    expect(result).toMatchObject({ ok: true, applied: expect.arrayContaining(['mcpServers.nas.command']) });
    await r.core.mcp.settled(10_000);
    expect(r.core.mcp.health()[0]).toMatchObject({ name: 'nas', state: 'connected', tools: 6 });
    expect(existsSync(starts)).toBe(true);
    // In-process callers without an origin are not trusted with commands either.
    const anonymous = await r.core.handlers['settings.update']({ patch: { mcpServers: { other: stdioEntry(starts) } } });
    expect(anonymous.ok).toBe(false);
    await r.core.close();
    const log = existsSync(logFilePath(r.dir)) ? readFileSync(logFilePath(r.dir), 'utf8') : '';
    expect(log).toContain("MCP server 'nas' connected");
    expect(log).not.toContain(envSecret);
  });
});
