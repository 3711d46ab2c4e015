import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSecretStore, SecretStoreError, secretsFileMode, secretsFileName, withStoredSecrets, type SafeStorageLike } from '../../electron/main/secret-store';
import { textFile, type TextFileLike } from '../../electron/main/text-file';

/** A fake safeStorage: "encrypts" by XOR with a key, so the stored bytes never equal the plain text. */
function fakeSafeStorage(opts: { available?: boolean; backend?: string; key?: number } = {}) {
  const key = opts.key ?? 0x5a;
  const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ key));
  const safe: SafeStorageLike & { available: boolean } = {
    available: opts.available ?? true,
    isEncryptionAvailable() {
      return this.available;
    },
    encryptString: vi.fn((plain: string) => Buffer.concat([Buffer.from('v10'), xor(Buffer.from(plain, 'utf8'))])),
    decryptString: vi.fn((enc: Buffer) => {
      if (enc.subarray(0, 3).toString() !== 'v10') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return xor(enc.subarray(3)).toString('utf8');
    }),
    ...(opts.backend !== undefined ? { getSelectedStorageBackend: () => opts.backend! } : {}),
  };
  return safe;
}

function memoryFile(initial: string | null = null) {
  let content = initial;
  const file: TextFileLike & { content: () => string | null } = { read: () => content, write: (t) => void (content = t), content: () => content };
  return file;
}

const token = 'glsa_abcdefghijklmnopqrstuvwxyz012345_deadbeef';

describe('secret store with encryption available', () => {
  it('stores encrypted base64, never the plain text, and reads it back', () => {
    const file = memoryFile();
    const store = createSecretStore({ safeStorage: fakeSafeStorage({ backend: 'gnome_libsecret' }), file, platform: 'linux', log: vi.fn() });
    expect(store.status()).toEqual({ available: true, reason: null });
    store.set('grafana.token', token);
    const onDisk = file.content()!;
    expect(onDisk).not.toContain(token);
    const parsed = JSON.parse(onDisk);
    expect(parsed.version).toBe(1);
    expect(parsed.secrets['grafana.token']).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(store.get('grafana.token')).toBe(token);
    expect(store.get('prometheus.token')).toBeNull();
    expect(store.names()).toEqual(['grafana.token']);
  });

  it('overwrites, deletes, and keeps the other secrets', () => {
    const store = createSecretStore({ safeStorage: fakeSafeStorage(), file: memoryFile(), platform: 'darwin', log: vi.fn() });
    store.set('a', 'one');
    store.set('b', 'two');
    store.set('a', 'uno');
    expect(store.get('a')).toBe('uno');
    expect(store.delete('a')).toBe(true);
    expect(store.delete('a')).toBe(false);
    expect(store.names()).toEqual(['b']);
    expect(store.get('b')).toBe('two');
  });

  it('a value encrypted by another keyring reads as null and is logged without the value', () => {
    const log = vi.fn();
    const file = memoryFile(JSON.stringify({ version: 1, secrets: { x: Buffer.from('garbage').toString('base64') } }));
    const store = createSecretStore({ safeStorage: fakeSafeStorage(), file, platform: 'win32', log });
    expect(store.get('x')).toBeNull();
    expect(log).toHaveBeenCalledWith(expect.stringContaining('could not decrypt'), { name: 'x' });
  });

  it('a corrupt file is treated as empty (and logged)', () => {
    const log = vi.fn();
    const store = createSecretStore({ safeStorage: fakeSafeStorage(), file: memoryFile('{"version":2}'), platform: 'darwin', log });
    expect(store.names()).toEqual([]);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('not valid'));
  });

  it('rejects bad names and values', () => {
    const store = createSecretStore({ safeStorage: fakeSafeStorage(), file: memoryFile(), platform: 'darwin', log: vi.fn() });
    for (const name of ['', '../x', 'a b', '_leading', '1digit', 'x'.repeat(65)]) {
      expect(() => store.set(name, 'v'), name).toThrow(SecretStoreError);
    }
    expect(() => store.set('ok', '')).toThrow(expect.objectContaining({ code: 'invalid_value' }));
    expect(() => store.set('ok', 'x'.repeat(20_000))).toThrow(expect.objectContaining({ code: 'invalid_value' }));
  });
});

describe('secret store without encryption', () => {
  it('refuses to store in plain text and says why (no keyring)', () => {
    const file = memoryFile();
    const log = vi.fn();
    const safe = fakeSafeStorage({ available: false });
    const store = createSecretStore({ safeStorage: safe, file, platform: 'linux', log });
    const status = store.status();
    expect(status.available).toBe(false);
    expect(status.reason).toMatch(/keyring/i);
    expect(status.reason).toMatch(/plain text/);
    let error: unknown;
    try {
      store.set('grafana.token', token);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SecretStoreError);
    expect(error).toMatchObject({ code: 'unavailable', message: status.reason });
    expect(file.content()).toBeNull();
    expect(safe.encryptString).not.toHaveBeenCalled();
    expect(JSON.stringify(log.mock.calls)).not.toContain(token);
  });

  it("refuses Linux's basic_text fallback (a fixed key is plain text in disguise)", () => {
    const store = createSecretStore({ safeStorage: fakeSafeStorage({ backend: 'basic_text' }), file: memoryFile(), platform: 'linux', log: vi.fn() });
    expect(store.status()).toMatchObject({ available: false, reason: expect.stringContaining('basic_text') });
    expect(() => store.set('a', 'b')).toThrow(expect.objectContaining({ code: 'unavailable' }));
  });

  it('reads nothing while unavailable, but can still delete', () => {
    const file = memoryFile();
    const safe = fakeSafeStorage();
    const store = createSecretStore({ safeStorage: safe, file, platform: 'darwin', log: vi.fn() });
    store.set('a', 'secret');
    safe.available = false;
    expect(store.get('a')).toBeNull();
    expect(store.delete('a')).toBe(true);
  });

  it('a throwing isEncryptionAvailable counts as unavailable (macOS before ready, a broken keyring)', () => {
    const safe = fakeSafeStorage();
    safe.isEncryptionAvailable = () => {
      throw new Error('not ready');
    };
    expect(createSecretStore({ safeStorage: safe, file: memoryFile(), platform: 'darwin', log: vi.fn() }).status().available).toBe(false);
  });
});

describe('secrets file on disk', () => {
  let dir: string;
  beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'bruno-secrets-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is owner-only and holds no plain text', () => {
    const path = join(dir, secretsFileName);
    const store = createSecretStore({ safeStorage: fakeSafeStorage(), file: textFile(path, { mode: secretsFileMode }), platform: 'darwin', log: vi.fn() });
    store.set('grafana.token', token);
    expect(readFileSync(path, 'utf8')).not.toContain(token);
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(store.get('grafana.token')).toBe(token);
  });
});

describe('secrets of the settings', () => {
  const base = {
    chatModel: 'm',
    server: { host: '127.0.0.1', port: 7878 } as { host: string; port: number; apiToken?: string },
    telemetry: { agentId: 'a' } as { agentId: string; metricsToken?: string },
  };

  it('fills empty secret fields from the store; values from the file or environment win', () => {
    const store = createSecretStore({ safeStorage: fakeSafeStorage(), file: memoryFile(), platform: 'darwin', log: vi.fn() });
    store.set('server.apiToken', 'stored-api-token-0123456789');
    store.set('telemetry.metricsToken', 'stored-metrics-token-0123456789');
    const filled = withStoredSecrets(base, store, vi.fn());
    expect(filled.server).toEqual({ host: '127.0.0.1', port: 7878, apiToken: 'stored-api-token-0123456789' });
    expect(filled.telemetry.metricsToken).toBe('stored-metrics-token-0123456789');
    expect(filled.chatModel).toBe('m');
    const fromEnv = withStoredSecrets({ ...base, telemetry: { ...base.telemetry, metricsToken: 'from-env-token-0123456789' } }, store, vi.fn());
    expect(fromEnv.telemetry.metricsToken).toBe('from-env-token-0123456789');
  });

  it('leaves the settings as they are without a store, and skips values too short to use', () => {
    const unavailable = createSecretStore({ safeStorage: fakeSafeStorage({ available: false }), file: memoryFile(), platform: 'linux', log: vi.fn() });
    expect(withStoredSecrets(base, unavailable, vi.fn())).toEqual(base);
    const log = vi.fn();
    const short = withStoredSecrets(base, { get: (name) => (name === 'server.apiToken' ? 'short' : null) }, log);
    expect(short.server).not.toHaveProperty('apiToken');
    expect(log).toHaveBeenCalledWith(expect.stringContaining('too short'), { name: 'server.apiToken' });
    expect(JSON.stringify(log.mock.calls)).not.toContain('short"');
  });
});
