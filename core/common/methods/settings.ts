import { z } from 'zod';
import type { ConnectionTestResult, SettingsUpdateResult, SettingsView } from '../settings';
import { method } from '../method';
import { noInput } from './ids';

/** A partial settings.json; the core validates the merged result field by field. */
export const settingsUpdateInput = z.strictObject({ patch: z.record(z.string(), z.unknown()) });
export const settingsTestInput = z.strictObject({
  target: z.enum(['ollama', 'otlp', 'grafana', 'prometheus', 'alertmanager']),
  /** Test this address instead of the saved one (the form's unsaved value). */
  url: z.string().max(2000).optional(),
});

/** Handlers: core/config/settings-methods.ts. */
export const settingsMethods = {
  'settings.get': method<SettingsView>()({ input: noInput, summary: 'The effective settings, secrets masked, env-pinned fields named.' }),
  /** Field-level errors come back in the result (ok: false), not as a thrown error. */
  'settings.update': method<SettingsUpdateResult>()({ input: settingsUpdateInput, summary: 'Validates and saves a patch; applies at once what can be applied live.' }),
  'settings.test': method<ConnectionTestResult>()({ input: settingsTestInput, summary: 'Tests the connection to one configured service.' }),
};
