/** The settings view: the current values, the last save's result and the connection tests. */
import type { ConnectionTestResult, SettingsTarget, SettingsUpdateResult, SettingsView } from '../../../../core/common';
import { slicePatcher, type LoadStatus, type SetState } from '../../shared/state';

declare module '../../shared/state' {
  interface AppState {
    settings: SettingsSlice;
  }
}

export interface ConnectionTestState {
  status: 'running' | 'done' | 'error';
  result: ConnectionTestResult | null;
  error: string | null;
}

export interface SettingsSlice {
  view: SettingsView | null;
  status: LoadStatus;
  error: string | null;
  saving: boolean;
  /** The last save: field errors, what applied at once, what waits for a restart. */
  result: SettingsUpdateResult | null;
  saveError: string | null;
  tests: Partial<Record<SettingsTarget, ConnectionTestState>>;
  loading(): void;
  loaded(view: SettingsView): void;
  failed(message: string): void;
  saveStarted(): void;
  saved(result: SettingsUpdateResult): void;
  saveFailed(message: string): void;
  testStarted(target: SettingsTarget): void;
  testDone(target: SettingsTarget, result: ConnectionTestResult): void;
  testFailed(target: SettingsTarget, message: string): void;
}

export function createSettingsSlice(set: SetState): SettingsSlice {
  const patch = slicePatcher(set, 'settings');
  return {
    view: null,
    status: 'idle',
    error: null,
    saving: false,
    result: null,
    saveError: null,
    tests: {},
    loading: () => patch({ status: 'loading' }),
    loaded: (view) => patch({ view, status: 'ready', error: null }),
    failed: (message) => patch({ status: 'error', error: message }),
    saveStarted: () => patch({ saving: true, saveError: null }),
    saved: (result) => patch({ saving: false, result, saveError: null }),
    saveFailed: (message) => patch({ saving: false, saveError: message }),
    testStarted: (target) => patch((s) => ({ tests: { ...s.tests, [target]: { status: 'running', result: null, error: null } } })),
    testDone: (target, result) => patch((s) => ({ tests: { ...s.tests, [target]: { status: 'done', result, error: null } } })),
    testFailed: (target, message) => patch((s) => ({ tests: { ...s.tests, [target]: { status: 'error', result: null, error: message } } })),
  };
}
