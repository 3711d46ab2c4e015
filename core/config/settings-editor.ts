import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { liveSettingPaths, secretSettingPaths, type SettingsUpdateResult, type SettingsView } from '../common/settings';
import { getPath, pinnedByEnv, setPath } from './env-bindings';
import { effectiveTree, mergeSettings, readSettingsFile, settingsFileName, validateSettings } from './load-settings';
import type { Settings } from './schema';

const mask = '********';

export interface SettingsEditorDeps {
  /** The running core's settings object: live fields are updated in place, so readers see them at once. */
  settings: Settings;
  env: NodeJS.ProcessEnv;
  readFile?: (path: string) => string | null;
  /** Atomic write (tmp + rename) by default. */
  writeFile?: (path: string, text: string) => void;
}

export interface SettingsEditor {
  view(): SettingsView;
  update(patch: Record<string, unknown>): SettingsUpdateResult;
}

function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Leaves of a patch as dotted paths (`{grafana:{url}}` -> `grafana.url`). */
function leafPaths(value: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, v]) =>
    v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length ? leafPaths(v as Record<string, unknown>, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

/** A masked secret sent back unchanged means "keep the stored one". */
function withoutUnchangedSecrets(patch: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(patch);
  for (const path of secretSettingPaths) if (getPath(copy, path) === mask) setPath(copy, path, undefined);
  return JSON.parse(JSON.stringify(copy)) as Record<string, unknown>;
}

/**
 * The settings form's back end: shows the effective settings (secrets masked, env-pinned fields
 * named), validates a patch against the whole merged result field by field, writes settings.json
 * atomically, and applies at once what can be applied without a restart.
 */
export function createSettingsEditor(deps: SettingsEditorDeps): SettingsEditor {
  const filePath = join(deps.settings.dataDir, settingsFileName);
  const write = deps.writeFile ?? writeAtomically;
  return {
    view() {
      const values = structuredClone(deps.settings) as unknown as Record<string, unknown>;
      for (const path of secretSettingPaths) if (getPath(values, path)) setPath(values, path, mask);
      return { values, pinnedByEnv: pinnedByEnv(deps.env), file: filePath };
    },
    update(rawPatch) {
      const patch = withoutUnchangedSecrets(rawPatch);
      const paths = leafPaths(patch);
      const fieldErrors: Record<string, string> = {};
      const pinned = new Set(pinnedByEnv(deps.env));
      for (const path of paths) if (pinned.has(path)) fieldErrors[path] = 'set by an environment variable, which wins over the settings file';
      if ('dataDir' in patch) fieldErrors.dataDir = 'the data dir is chosen with BRUNO_DATA_DIR';
      if (Object.keys(fieldErrors).length) return { ok: false, fieldErrors, applied: [], restartRequired: [] };

      let fromFile: Record<string, unknown>;
      try {
        fromFile = readSettingsFile(filePath, deps.readFile) ?? {};
      } catch (err) {
        return { ok: false, fieldErrors: { settings: (err as Error).message }, applied: [], restartRequired: [] };
      }
      const nextFile = mergeSettings(fromFile, patch);
      const { settings: next, problems } = validateSettings(effectiveTree(deps.settings.dataDir, nextFile, deps.env));
      if (!next) return { ok: false, fieldErrors: problems, applied: [], restartRequired: [] };
      try {
        write(filePath, `${JSON.stringify(nextFile, null, 2)}\n`);
      } catch (err) {
        return { ok: false, fieldErrors: { settings: `Cannot save ${filePath}: ${(err as Error).message}` }, applied: [], restartRequired: [] };
      }
      const isLive = (path: string) => liveSettingPaths.some((live) => path === live || path.startsWith(`${live}.`));
      const applied = paths.filter(isLive);
      for (const path of applied) setPath(deps.settings as unknown as Record<string, unknown>, path, getPath(next as unknown as Record<string, unknown>, path));
      return { ok: true, fieldErrors: {}, applied, restartRequired: paths.filter((p) => !isLive(p)) };
    },
  };
}
