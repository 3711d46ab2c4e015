export { loadSettings, settingsFileName, type LoadSettingsOptions } from './load-settings';
export { settingsSchema, defaults, hostOf, isLoopbackHost, type Settings } from './schema';
export { normalizeOllamaHost } from './ollama-host';
export { defaultDataDir } from './data-dir';
export { createSettingsEditor, type SettingsEditor } from './settings-editor';
export { testConnection } from './connection-test';
export { envBindings, pinnedByEnv } from './env-bindings';
