import type { MethodHandlers } from '../common/method';
import type { settingsMethods } from '../common/methods';
import type { SettingsTarget } from '../common/settings';
import { testConnection } from './connection-test';
import type { Settings } from './schema';
import type { SettingsEditor } from './settings-editor';
import type { SettingsStore } from './settings-store';

const savedUrlOf = (settings: Settings, target: SettingsTarget): string | null =>
  ({ ollama: settings.ollamaHost, otlp: settings.telemetry.otlpEndpoint, grafana: settings.grafana.url, prometheus: settings.prometheusUrl, alertmanager: settings.alertmanagerUrl })[target];

export function settingsHandlers(deps: { store: SettingsStore; editor: SettingsEditor; fetch?: typeof fetch }): MethodHandlers<typeof settingsMethods> {
  return {
    'settings.get': async () => deps.editor.view(),
    'settings.update': async (input, context) => deps.editor.update(input.patch, { origin: context?.origin }),
    async 'settings.test'(input) {
      const url = input.url ?? savedUrlOf(deps.store.get(), input.target);
      if (!url) return { target: input.target, url: '', ok: false, message: `No ${input.target} address is set`, latencyMs: null };
      return testConnection(input.target, url, deps.fetch);
    },
  };
}
