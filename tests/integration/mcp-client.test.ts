/**
 * The MCP client against real servers: the stdio fixture (a process started by the client, built
 * with the SDK's McpServer, or the low-level Server for hostile tool lists) and the HTTP fixture.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createSettingsStore, mcpServerSchema, type McpServerSettings, type Settings, type SettingsStore } from '../../core/config';
import { createMcpTools, createToolRegistry, toolNamePattern, type McpTools, type Tool } from '../../core/tools';
import { maxResultChars } from '../../core/tools/mcp';
import { tempDir, testSettings } from '../support/core-harness';
import { startHttpMcpFixture, type HttpMcpFixture } from '../support/mcp/http-fixture';

const fixture = fileURLToPath(new URL('../support/mcp/stdio-fixture.mjs', import.meta.url));
const fast = { backoffInitialMs: 150, backoffMaxMs: 600, connectTimeoutMs: 5_000, pingIntervalMs: 60_000, stableMs: 60_000 };

const stdio = (env: Record<string, string> = {}, extra: Partial<McpServerSettings> = {}): McpServerSettings =>
  mcpServerSchema.parse({ command: process.execPath, args: [fixture], env, ...extra });

let open: McpTools[] = [];
let https: HttpMcpFixture[] = [];
afterEach(async () => {
  await Promise.all(open.map((m) => m.close()));
  await Promise.all(https.map((h) => h.close()));
  open = [];
  https = [];
});

function start(servers: Record<string, McpServerSettings>, timing: Record<string, number> = {}): { mcp: McpTools; store: SettingsStore; logs: string[]; retryDelays: number[] } {
  const settings: Settings = { ...testSettings({}), mcpServers: servers };
  const store = createSettingsStore(settings);
  const logs: string[] = [];
  const retryDelays: number[] = [];
  const log = (level: string, message: string, fields?: Record<string, unknown>) => {
    logs.push(`${level} ${message}`);
    if (typeof fields?.retryInMs === 'number') retryDelays.push(fields.retryInMs);
  };
  const mcp = createMcpTools({ settings: store, clientVersion: 'test', log, timing: { ...fast, ...timing } });
  open.push(mcp);
  return { mcp, store, logs, retryDelays };
}

async function until<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const tool = (mcp: McpTools, name: string): Tool => {
  const found = mcp.tools().find((t) => t.name === name);
  if (!found) throw new Error(`no tool ${name} among ${mcp.tools().map((t) => t.name).join(', ')}`);
  return found;
};
const run = (t: Tool, args: Record<string, unknown> = {}, signal = new AbortSignal()) => t.run(args, { signal });
const signal = () => new AbortController().signal;
const starts = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' ').map(Number) as [number, number]) : []);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('MCP client over stdio', () => {
  it('lists the tools as server.tool with readOnly from the annotations, runs them, and passes env', async () => {
    const { mcp } = start({ files: stdio({ FIXTURE_EXPECT_ENV: 'NAS_TOKEN=s3cret', NAS_TOKEN: 's3cret' }) });
    await mcp.settled(10_000);
    expect(mcp.health()).toEqual([{ name: 'files', transport: 'stdio', state: 'connected', tools: 6, lastError: null, restarts: 0, retryAt: null }]);
    const names = mcp.tools().map((t) => t.name);
    expect(names).toEqual(['files.echo', 'files.write_note', 'files.fail', 'files.crash', 'files.hang', 'files.big']);
    expect(tool(mcp, 'files.echo')).toMatchObject({ readOnly: true, source: 'files', description: 'Echoes its text back' });
    expect(tool(mcp, 'files.echo').parameters).toEqual({ type: 'object', properties: { text: { type: 'string', description: 'what to echo' } }, required: ['text'] });
    expect(tool(mcp, 'files.write_note').readOnly).toBe(false);
    expect(tool(mcp, 'files.echo').unavailable()).toBeNull();

    expect(await run(tool(mcp, 'files.echo'), { text: 'hi' }, signal())).toEqual({ text: 'echo: hi\n[image image/png, not shown]' });
    expect(await run(tool(mcp, 'files.fail'), {}, signal())).toEqual({ text: 'disk /dev/sda1 is not mounted', isError: true });

    // The registry's defaults follow: read-only tools run, the others ask.
    const registry = createToolRegistry({ sources: [mcp], policies: () => ({}) });
    expect(registry.list().find((t) => t.name === 'files.echo')?.policy).toBe('allow');
    expect(registry.list().find((t) => t.name === 'files.write_note')?.policy).toBe('ask');
  });

  it('a hung call ends when its signal aborts, and the server stays usable', async () => {
    const { mcp } = start({ s: stdio() });
    await mcp.settled(10_000);
    const started = Date.now();
    const result = await run(tool(mcp, 's.hang'), {}, AbortSignal.timeout(300));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/stopped/);
    expect(await run(tool(mcp, 's.echo'), { text: 'still here' }, signal())).toMatchObject({ text: expect.stringContaining('echo: still here') });
  });

  it('a server that crashes mid-call gives an error result, is shown down, and is restarted', async () => {
    const startsFile = join(tempDir(), 'starts');
    const { mcp } = start({ s: stdio({ FIXTURE_STARTS: startsFile }) });
    await mcp.settled(10_000);
    const result = await run(tool(mcp, 's.crash'), {}, signal());
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/MCP server 's' failed/);
    const down = mcp.health()[0]!;
    expect(down.state === 'failed' || down.state === 'connecting').toBe(true);
    if (down.state === 'failed') expect(tool(mcp, 's.echo').unavailable()).toMatch(/MCP server 's' is down/);
    await until('the restart', () => mcp.health()[0]!.state === 'connected');
    expect(mcp.health()[0]).toMatchObject({ restarts: 1, lastError: expect.stringContaining('closed the connection') });
    expect(starts(startsFile)).toHaveLength(2);
    expect(await run(tool(mcp, 's.echo'), { text: 'back' }, signal())).toMatchObject({ text: expect.stringContaining('echo: back') });
  });

  it('a server that keeps dying is retried with growing, capped delays and its stderr is the reason', async () => {
    const startsFile = join(tempDir(), 'starts');
    const { mcp, retryDelays } = start({ dying: stdio({ FIXTURE_MODE: 'exit', FIXTURE_STARTS: startsFile }) });
    await until('five starts', () => starts(startsFile).length >= 5, 15_000);
    // The schedule is checked on the delays the connection asked for; wall-clock gaps only from
    // below, since each start of a node process adds an unbounded amount on a loaded machine.
    expect(retryDelays.slice(0, 4)).toEqual([150, 300, 600, 600]);
    const times = starts(startsFile).map(([, at]) => at);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    gaps.slice(0, 4).forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(retryDelays[i]!));
    const health = mcp.health()[0]!;
    expect(health.restarts).toBeGreaterThanOrEqual(4);
    expect(health.lastError).toMatch(/configured to exit/);
    expect(mcp.tools()).toEqual([]);
  });

  it('a server that never answers fails after the connect timeout without holding anything up', async () => {
    const { mcp } = start({ mute: stdio({ FIXTURE_MODE: 'silent' }) }, { connectTimeoutMs: 500 });
    expect(mcp.tools()).toEqual([]);
    expect(mcp.health()[0]!.state).toBe('connecting');
    await mcp.settled(5_000);
    expect(mcp.health()[0]).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/timed out/i), retryAt: expect.any(String) });
  });

  it('a command that does not exist is a clear error', async () => {
    const { mcp } = start({ ghost: mcpServerSchema.parse({ command: '/nonexistent/mcp-server-ghost' }) });
    await mcp.settled(5_000);
    expect(mcp.health()[0]).toMatchObject({ state: 'failed', lastError: expect.stringContaining("command '/nonexistent/mcp-server-ghost' was not found") });
  });

  it('hostile tool names and descriptions become callable, unique, capped names', async () => {
    const { mcp } = start({ evil: stdio({ FIXTURE_MODE: 'hostile' }) });
    await mcp.settled(10_000);
    const tools = mcp.tools();
    const names = tools.map((t) => t.name);
    expect(names.slice(0, 5)).toEqual(['evil.has_spaces_and_slashes', 'evil.__proto__', 'evil.constructor', 'evil.dup', 'evil.dup_2']);
    for (const name of names) expect(name).toMatch(toolNamePattern);
    expect(new Set(names).size).toBe(names.length);
    expect(names[5]).not.toBe(names[6]);
    expect(tools[2]!.description.length).toBeLessThanOrEqual(1024);
    expect(tools[4]!.readOnly).toBe(false);
    // The SDK's parsing already drops a `__proto__` property; required names that are no
    // property are not passed on, and nothing reached Object.prototype.
    expect(Object.keys(tools[1]!.parameters.properties)).toEqual(['ok']);
    expect(tools[1]!.parameters.required).toBeUndefined();
    expect(({} as Record<string, unknown>).type).toBeUndefined();
    // The call goes out under the server's own name.
    expect((await run(tools[1]!, { ok: 1 }, signal())).text).toBe('called __proto__ with {"ok":1}');
    expect((await run(tools[0]!, {}, signal())).text).toBe('called has spaces and/slash with {}');
    const registry = createToolRegistry({ sources: [mcp], policies: () => ({}) });
    expect(registry.list()).toHaveLength(7);
  });

  it('a 10 MB result is cut, and the server goes on', async () => {
    const { mcp } = start({ s: stdio() });
    await mcp.settled(10_000);
    const result = await run(tool(mcp, 's.big'), { mb: 10 }, signal());
    expect(result.isError).toBeUndefined();
    expect(result.text.length).toBeLessThan(maxResultChars + 100);
    expect(result.text).toMatch(/\[result cut at 400000 characters\]$/);
    expect(mcp.health()[0]!.state).toBe('connected');
    expect((await run(tool(mcp, 's.echo'), { text: 'after' }, signal())).text).toMatch(/^echo: after/);
  });

  it('follows the settings: a server added, disabled (its process ends), removed; close ends every process', async () => {
    const dir = tempDir();
    const { mcp, store } = start({ a: stdio({ FIXTURE_STARTS: join(dir, 'a') }) });
    await mcp.settled(10_000);
    const [pidA] = starts(join(dir, 'a'))[0]!;
    const next = (servers: Record<string, McpServerSettings>) => store.set({ ...store.get(), mcpServers: servers }, ['mcpServers']);

    next({ a: stdio({ FIXTURE_STARTS: join(dir, 'a') }), b: stdio({ FIXTURE_STARTS: join(dir, 'b') }) });
    await until('b connected', () => mcp.health().find((h) => h.name === 'b')?.state === 'connected');
    expect(starts(join(dir, 'a'))).toHaveLength(1); // unchanged: not restarted
    const [pidB] = starts(join(dir, 'b'))[0]!;

    next({ a: stdio({ FIXTURE_STARTS: join(dir, 'a') }, { disabled: true }), b: stdio({ FIXTURE_STARTS: join(dir, 'b') }) });
    expect(mcp.health().find((h) => h.name === 'a')).toMatchObject({ state: 'disabled', tools: 0 });
    expect(mcp.tools().every((t) => t.source === 'b')).toBe(true);
    await until('a ended', () => !alive(pidA));

    next({});
    expect(mcp.health()).toEqual([]);
    await until('b ended', () => !alive(pidB));

    next({ c: stdio({ FIXTURE_STARTS: join(dir, 'c') }) });
    await until('c connected', () => mcp.health()[0]?.state === 'connected');
    const [pidC] = starts(join(dir, 'c'))[0]!;
    await mcp.close();
    expect(alive(pidC)).toBe(false);
  });
});

describe('MCP client over streamable HTTP', () => {
  it('sends the configured headers, lists and calls the tools', async () => {
    const http = await startHttpMcpFixture('http-secret-token');
    https.push(http);
    const { mcp } = start({ web: mcpServerSchema.parse({ url: http.url, headers: { Authorization: 'Bearer http-secret-token' } }) });
    await mcp.settled(10_000);
    expect(mcp.health()[0]).toMatchObject({ name: 'web', transport: 'http', state: 'connected', tools: 6 });
    expect(await run(tool(mcp, 'web.echo'), { text: 'over http' }, signal())).toMatchObject({ text: expect.stringContaining('echo: over http') });
    expect(http.authorizations.every((a) => a === 'Bearer http-secret-token')).toBe(true);
  });

  it('a wrong token and an unreachable server are failures with the reason, retried', async () => {
    const http = await startHttpMcpFixture('right-token');
    https.push(http);
    const { mcp } = start({
      wrong: mcpServerSchema.parse({ url: http.url, headers: { Authorization: 'Bearer wrong' } }),
      gone: mcpServerSchema.parse({ url: 'http://127.0.0.1:9/mcp' }),
    });
    await mcp.settled(10_000);
    const [wrong, gone] = mcp.health();
    expect(wrong).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/401|nauthori/) });
    expect(gone).toMatchObject({ state: 'failed', lastError: expect.any(String) });
    await until('a retry', () => mcp.health()[0]!.restarts >= 1);
  });

  it('a server that goes away is noticed by the ping and reconnected when it is back', async () => {
    let http = await startHttpMcpFixture('t0ken');
    const port = Number(new URL(http.url).port);
    const { mcp } = start({ web: mcpServerSchema.parse({ url: http.url, headers: { Authorization: 'Bearer t0ken' } }) }, { pingIntervalMs: 100, pingTimeoutMs: 500 });
    await mcp.settled(10_000);
    await http.close();
    await until('down', () => mcp.health()[0]!.state === 'failed');
    expect(await run(tool(mcp, 'web.echo'), { text: 'x' }, signal())).toMatchObject({ isError: true, text: expect.stringContaining("MCP server 'web' is down") });
    http = await startHttpMcpFixture('t0ken', port);
    https.push(http);
    await until('reconnected', () => mcp.health()[0]!.state === 'connected');
  });
});
