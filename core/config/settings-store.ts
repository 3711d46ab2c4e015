import type { Settings } from './schema';

export type SettingsListener = (settings: Settings, changed: readonly string[]) => void;

/**
 * The running core's settings: one frozen snapshot at a time. Readers call `get()` at each use,
 * so live fields (the chat model, content capture, Grafana links) change without a restart;
 * whoever caches a derived value (the tray's default model, the link allow-list) subscribes.
 */
export interface SettingsStore {
  get(): Settings;
  subscribe(listener: SettingsListener): () => void;
  /** The settings editor's, after a saved change of live fields. */
  set(next: Settings, changed: readonly string[]): void;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export function createSettingsStore(initial: Settings, report: (err: unknown) => void = () => {}): SettingsStore {
  let current = deepFreeze(structuredClone(initial));
  const listeners = new Set<SettingsListener>();
  return {
    get: () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(next, changed) {
      current = deepFreeze(structuredClone(next));
      for (const listener of [...listeners]) {
        try {
          listener(current, changed);
        } catch (err) {
          report(err);
        }
      }
    },
  };
}
