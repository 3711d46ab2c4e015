/** The settings view: load, save (then re-read what applied), test a connection. */
import type { Bridge, SettingsTarget } from '../../../../core/common';
import { latestWins, request } from '../../shared/latest';
import type { AppStore } from '../../shared/state';

declare module '../../shared/state' {
  interface AppActions extends SettingsActions {}
}

export interface SettingsActions {
  loadSettings(): Promise<void>;
  saveSettings(patch: Record<string, unknown>): Promise<boolean>;
  testConnection(target: SettingsTarget, url?: string): Promise<void>;
}

export function createSettingsActions({ store, bridge }: { store: AppStore; bridge: Bridge }): SettingsActions {
  const get = store.getState;
  const loadLane = latestWins();
  const actions: SettingsActions = {
    async loadSettings() {
      get().settings.loading();
      await loadLane(() => bridge.invoke('settings.get'), {
        done: (view) => get().settings.loaded(view),
        failed: (message) => get().settings.failed(message),
      });
    },

    async saveSettings(patch) {
      get().settings.saveStarted();
      let ok = false;
      await request(() => bridge.invoke('settings.update', { patch }), {
        done: async (result) => {
          get().settings.saved(result);
          ok = result.ok;
          if (result.ok) await actions.loadSettings();
        },
        failed: (message) => get().settings.saveFailed(message),
      });
      return ok;
    },

    async testConnection(target, url) {
      get().settings.testStarted(target);
      await request(() => bridge.invoke('settings.test', url ? { target, url } : { target }), {
        done: (result) => get().settings.testDone(target, result),
        failed: (message) => get().settings.testFailed(target, message),
      });
    },
  };
  return actions;
}
