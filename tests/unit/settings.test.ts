import { describe, expect, it } from 'vitest';
import { loadSettings, normalizeOllamaHost } from '../../core/config';
import { BrunoError } from '../../core/common';

const noFile = () => null;

describe('normalizeOllamaHost', () => {
  it.each([
    ['', 'http://127.0.0.1:11434'],
    ['127.0.0.1', 'http://127.0.0.1:11434'],
    ['0.0.0.0', 'http://127.0.0.1:11434'],
    ['0.0.0.0:11500', 'http://127.0.0.1:11500'],
    [':11500', 'http://127.0.0.1:11500'],
    ['http://127.0.0.1:11434/', 'http://127.0.0.1:11434'],
    ['https://ollama.example.org', 'https://ollama.example.org'],
    ['gpu-box:8080', 'http://gpu-box:8080'],
  ])('%s -> %s', (raw, expected) => {
    expect(normalizeOllamaHost(raw)).toBe(expected);
  });
});

describe('loadSettings', () => {
  it('defaults to loopback everywhere', () => {
    const s = loadSettings({ env: { BRUNO_DATA_DIR: '/tmp/x' }, readFile: noFile });
    expect(s.ollamaHost).toBe('http://127.0.0.1:11434');
    expect(s.chatModel).toBe('llama3.1:8b');
    expect(s.server).toEqual({ host: '127.0.0.1', port: 7878 });
    expect(s.dataDir).toBe('/tmp/x');
  });

  it('lets the environment override the settings file', () => {
    const file = JSON.stringify({ chatModel: 'qwen2.5:0.5b', server: { port: 9000 } });
    const fromFile = loadSettings({ env: { BRUNO_DATA_DIR: '/d' }, readFile: () => file });
    expect(fromFile.chatModel).toBe('qwen2.5:0.5b');
    expect(fromFile.server.port).toBe(9000);
    const fromEnv = loadSettings({
      env: { BRUNO_DATA_DIR: '/d', BRUNO_CHAT_MODEL: 'llama3.2:3b', BRUNO_PORT: '7001', OLLAMA_HOST: '0.0.0.0:1234', BRUNO_API_TOKEN: 'a-long-enough-token-1234' },
      readFile: () => file,
    });
    expect(fromEnv.chatModel).toBe('llama3.2:3b');
    expect(fromEnv.server.port).toBe(7001);
    expect(fromEnv.server.apiToken).toBe('a-long-enough-token-1234');
    expect(fromEnv.ollamaHost).toBe('http://127.0.0.1:1234');
  });

  it('reads the file from the data dir', () => {
    const seen: string[] = [];
    loadSettings({ env: { BRUNO_DATA_DIR: '/data/bruno' }, readFile: (p) => (seen.push(p), null) });
    expect(seen).toEqual(['/data/bruno/settings.json']);
  });

  it('names every bad field', () => {
    const run = () => loadSettings({ env: { BRUNO_DATA_DIR: '/d', BRUNO_PORT: 'seventy', OLLAMA_HOST: 'ftp://x:1', BRUNO_API_TOKEN: 'short' }, readFile: noFile });
    expect(run).toThrow(BrunoError);
    expect(run).toThrow(/server\.port/);
    expect(run).toThrow(/ollamaHost: must be an http\(s\) URL/);
    expect(run).toThrow(/server\.apiToken: must be at least 16 characters/);
  });

  it('takes the hybrid fusion from BRUNO_KB_FUSION (convex by default) and rejects an unknown one', () => {
    expect(loadSettings({ env: { BRUNO_DATA_DIR: '/d' }, readFile: noFile }).knowledge.fusion).toBe('convex');
    expect(loadSettings({ env: { BRUNO_DATA_DIR: '/d', BRUNO_KB_FUSION: 'rrf' }, readFile: noFile }).knowledge.fusion).toBe('rrf');
    expect(() => loadSettings({ env: { BRUNO_DATA_DIR: '/d', BRUNO_KB_FUSION: 'borda' }, readFile: noFile })).toThrow(/knowledge\.fusion: must be 'convex' or 'rrf'/);
  });

  it('rejects a settings file that is not JSON, saying which file', () => {
    expect(() => loadSettings({ env: { BRUNO_DATA_DIR: '/d' }, readFile: () => '{nope' })).toThrow(/\/d\/settings\.json is not valid JSON/);
    expect(() => loadSettings({ env: { BRUNO_DATA_DIR: '/d' }, readFile: () => '[1]' })).toThrow(/not a JSON object/);
  });

  it('rejects unknown keys in the file (a typo would otherwise be ignored silently)', () => {
    expect(() => loadSettings({ env: { BRUNO_DATA_DIR: '/d' }, readFile: () => '{"chatModle":"x"}' })).toThrow(/chatModle|Unrecognized key/);
  });
});
