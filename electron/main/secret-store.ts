/**
 * Secrets of the settings (a Grafana or Prometheus token, the API token) encrypted with
 * Electron's `safeStorage` (Keychain, DPAPI, Secret Service/KWallet) and kept as base64 in one
 * file in the data dir (mode 0600). When the OS offers no real encryption the store refuses to
 * write, and says why: a token in plain text on disk is what this exists to avoid.
 * Plain module: `safeStorage` and the file are injected.
 */
import type { Log } from './log';
import type { TextFileLike } from './text-file';

/** Electron's `safeStorage`, the part used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: which backend encrypts (`basic_text` means a hard-coded key). */
  getSelectedStorageBackend?(): string;
}

export type SecretStoreErrorCode = 'unavailable' | 'invalid_name' | 'invalid_value';

export class SecretStoreError extends Error {
  constructor(
    readonly code: SecretStoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SecretStoreError';
  }
}

export interface SecretStoreStatus {
  available: boolean;
  /** Why secrets cannot be stored, in words for the user; null when they can. */
  reason: string | null;
}

export interface SecretStore {
  status(): SecretStoreStatus;
  /** Throws SecretStoreError when encryption is unavailable or the name/value is invalid. */
  set(name: string, value: string): void;
  /** null when absent, when it cannot be decrypted, or when encryption is unavailable. */
  get(name: string): string | null;
  delete(name: string): boolean;
  names(): string[];
}

export const secretsFileName = 'secrets.json';
/** Owner read/write only. */
export const secretsFileMode = 0o600;

const namePattern = /^[a-zA-Z][\w.-]{0,63}$/;
const maxValueLength = 16_384;

interface SecretsFile {
  version: 1;
  secrets: Record<string, string>;
}

export function createSecretStore(deps: { safeStorage: SafeStorageLike; file: TextFileLike; platform: NodeJS.Platform; log: Log }): SecretStore {
  const { safeStorage, file, log } = deps;

  const status = (): SecretStoreStatus => {
    let available: boolean;
    try {
      available = safeStorage.isEncryptionAvailable();
    } catch {
      available = false;
    }
    if (!available) {
      return {
        available: false,
        reason:
          deps.platform === 'linux'
            ? 'No OS keyring is available (start a Secret Service such as gnome-keyring, or KWallet), so secrets are not saved: Agent Bruno never stores them in plain text. Use environment variables meanwhile.'
            : 'OS encryption (safeStorage) is not available, so secrets are not saved: Agent Bruno never stores them in plain text. Use environment variables meanwhile.',
      };
    }
    if (deps.platform === 'linux') {
      const backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
      if (backend === 'basic_text' || backend === 'unknown') {
        return {
          available: false,
          reason: `Electron's safeStorage fell back to '${backend}' (a fixed key: as good as plain text) because no OS keyring answered, so secrets are not saved. Start gnome-keyring or KWallet, or use environment variables.`,
        };
      }
    }
    return { available: true, reason: null };
  };

  const load = (): SecretsFile => {
    let text: string | null;
    try {
      text = file.read();
    } catch (err) {
      log('secrets: could not read the secrets file', { error: err instanceof Error ? err.message : String(err) });
      return empty();
    }
    if (text === null) return empty();
    try {
      const parsed = JSON.parse(text) as Partial<SecretsFile>;
      if (parsed.version !== 1 || !parsed.secrets || typeof parsed.secrets !== 'object') throw new Error('unexpected shape');
      const secrets: Record<string, string> = {};
      for (const [name, value] of Object.entries(parsed.secrets)) {
        if (namePattern.test(name) && typeof value === 'string') secrets[name] = value;
      }
      return { version: 1, secrets };
    } catch {
      log('secrets: the secrets file is not valid; treating it as empty');
      return empty();
    }
  };

  const save = (data: SecretsFile) => file.write(`${JSON.stringify(data, null, 2)}\n`);

  const checkName = (name: string) => {
    if (typeof name !== 'string' || !namePattern.test(name)) {
      throw new SecretStoreError('invalid_name', 'A secret name is a letter followed by up to 63 letters, digits, . _ or -.');
    }
  };

  return {
    status,
    set(name, value) {
      checkName(name);
      if (typeof value !== 'string' || value === '' || value.length > maxValueLength) {
        throw new SecretStoreError('invalid_value', `A secret is a non-empty string of at most ${maxValueLength} characters.`);
      }
      const s = status();
      if (!s.available) {
        log('secrets: refused to store a secret without encryption', { name });
        throw new SecretStoreError('unavailable', s.reason!);
      }
      const data = load();
      data.secrets[name] = safeStorage.encryptString(value).toString('base64');
      save(data);
    },
    get(name) {
      checkName(name);
      const encrypted = load().secrets[name];
      if (encrypted === undefined) return null;
      if (!status().available) return null;
      try {
        return safeStorage.decryptString(Buffer.from(encrypted, 'base64'));
      } catch {
        // Another user, another machine, or a reset keyring: the value is lost, not leaked.
        log('secrets: could not decrypt a secret (the OS keyring changed?)', { name });
        return null;
      }
    },
    delete(name) {
      checkName(name);
      const data = load();
      if (!(name in data.secrets)) return false;
      delete data.secrets[name];
      save(data);
      return true;
    },
    names: () => Object.keys(load().secrets).sort(),
  };
}

function empty(): SecretsFile {
  return { version: 1, secrets: {} };
}

/** Settings fields that are secrets, by their name in the store. */
export const settingsSecretNames = ['server.apiToken', 'telemetry.metricsToken'] as const;

interface SecretSettingsLike {
  server: { apiToken?: string | undefined };
  telemetry: { metricsToken?: string | undefined };
}

/**
 * Fills the secret fields the settings file and environment left empty from the store. A value
 * given in the file or environment wins; a stored value too short for the schema (16 chars) is
 * skipped and logged by name only.
 */
export function withStoredSecrets<S extends SecretSettingsLike>(settings: S, store: Pick<SecretStore, 'get'>, log: Log): S {
  const stored = (name: (typeof settingsSecretNames)[number]) => {
    const value = store.get(name);
    if (value !== null && value.length < 16) {
      log('secrets: a stored secret is too short to use', { name });
      return undefined;
    }
    return value ?? undefined;
  };
  const apiToken = settings.server.apiToken ?? stored('server.apiToken');
  const metricsToken = settings.telemetry.metricsToken ?? stored('telemetry.metricsToken');
  return {
    ...settings,
    server: { ...settings.server, ...(apiToken !== undefined ? { apiToken } : {}) },
    telemetry: { ...settings.telemetry, ...(metricsToken !== undefined ? { metricsToken } : {}) },
  };
}
