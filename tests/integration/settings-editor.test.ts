import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { createCore, type Core } from '../../core/runtime';
import { loadSettings } from '../../core/config';
import { closedPort, runTurn, tempDir } from '../support/core-harness';

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama({ tokensPerSecond: 0 });
});
afterAll(async () => {
  await fake.close();
});

function coreIn(dataDir: string, env: Record<string, string> = {}): Core {
  const full = { BRUNO_DATA_DIR: dataDir, OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '', ...env };
  return createCore({ settings: loadSettings({ env: full }), env: full, logging: { file: false } });
}

describe('settings from the UI', () => {
  it('shows effective values with secrets masked and env-pinned fields named', async () => {
    const core = coreIn(tempDir(), { BRUNO_API_TOKEN: 'a-secret-token-0123456789' });
    const view = await core.handlers['settings.get'](undefined);
    await core.close();
    expect(view.values).toMatchObject({ chatModel: 'llama3.1:8b', server: { apiToken: '********' } });
    expect(view.pinnedByEnv).toEqual(expect.arrayContaining(['ollamaHost', 'server.apiToken', 'telemetry.metricsAddr']));
    expect(view.file).toMatch(/settings\.json$/);
  });

  it('validates field by field and saves nothing when a field is wrong', async () => {
    const dir = tempDir();
    const core = coreIn(dir);
    const result = await core.handlers['settings.update']({ patch: { grafana: { url: 'ftp://grafana' }, prometheusUrl: 'not a url', telemetry: { otlpProtocol: 'carrier-pigeon' } } });
    await core.close();
    expect(result.ok).toBe(false);
    expect(Object.keys(result.fieldErrors).sort()).toEqual(['grafana.url', 'prometheusUrl', 'telemetry.otlpProtocol']);
    expect(result.fieldErrors['grafana.url']).toMatch(/http\(s\) URL/);
    expect(() => readFileSync(join(dir, 'settings.json'))).toThrow(/ENOENT/);
  });

  it('refuses to edit what the environment pins', async () => {
    const core = coreIn(tempDir());
    const result = await core.handlers['settings.update']({ patch: { ollamaHost: 'http://127.0.0.1:1' } });
    await core.close();
    expect(result).toMatchObject({ ok: false, fieldErrors: { ollamaHost: expect.stringMatching(/environment variable/) } });
  });

  it('saves, applies live fields at once, and reports the rest as needing a restart', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ telemetry: { agentId: 'desk-1' } }));
    const core = coreIn(dir);
    const result = await core.handlers['settings.update']({ patch: { chatModel: 'qwen2.5:0.5b', grafana: { url: 'http://127.0.0.1:3000/' }, telemetry: { logLevel: 'debug' } } });
    expect(result).toEqual({ ok: true, fieldErrors: {}, applied: ['chatModel', 'grafana.url'], restartRequired: ['telemetry.logLevel'] });
    // Live: the next turn without a model uses the new default.
    const turn = await runTurn(core, { message: 'hi' });
    expect(turn.end.type === 'done' && turn.end.stats.model).toBe('qwen2.5:0.5b');
    const view = await core.handlers['settings.get'](undefined);
    await core.close();
    expect(view.values).toMatchObject({ grafana: { url: 'http://127.0.0.1:3000' } });
    // The file keeps what it had and gains the patch; a restart reads it back.
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toEqual({ telemetry: { agentId: 'desk-1', logLevel: 'debug' }, chatModel: 'qwen2.5:0.5b', grafana: { url: 'http://127.0.0.1:3000/' } });
    expect(loadSettings({ env: { BRUNO_DATA_DIR: dir } }).telemetry.logLevel).toBe('debug');
  });

  it('a masked secret sent back unchanged keeps the stored secret', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ server: { apiToken: 'stored-token-0123456789abc' } }));
    const core = coreIn(dir);
    const result = await core.handlers['settings.update']({ patch: { server: { apiToken: '********', port: 7999 } } });
    await core.close();
    expect(result.ok).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).server).toEqual({ apiToken: 'stored-token-0123456789abc', port: 7999 });
  });

  it('tests connections and says what it found', async () => {
    const core = coreIn(tempDir());
    const ok = await core.handlers['settings.test']({ target: 'ollama' });
    const port = await closedPort();
    const down = await core.handlers['settings.test']({ target: 'prometheus', url: `http://127.0.0.1:${port}` });
    const wrong = await core.handlers['settings.test']({ target: 'grafana', url: fake.url });
    const unset = await core.handlers['settings.test']({ target: 'alertmanager' });
    const bad = await core.handlers['settings.test']({ target: 'otlp', url: 'javascript:alert(1)' });
    await core.close();
    expect(ok).toMatchObject({ ok: true, message: 'Ollama 0.32.15' });
    expect(down).toMatchObject({ ok: false, message: `Cannot reach prometheus at http://127.0.0.1:${port}: ECONNREFUSED` });
    expect(wrong).toMatchObject({ ok: false, message: expect.stringMatching(/answered HTTP 404 to \/api\/health: is this really grafana\?/) });
    expect(unset).toMatchObject({ ok: false, message: 'No alertmanager address is set' });
    expect(bad).toMatchObject({ ok: false, message: "'javascript:alert(1)' is not an http(s) URL" });
  });
});
