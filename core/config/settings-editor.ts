import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { MethodOrigin } from '../common/method';
import type { SettingsUpdateResult, SettingsView } from '../common/settings';
import { changedCommands, commandOrigins, commandRefusal, dropRemovedServers, dropUnchangedEntrySecrets, maskEntryMaps, masksWithoutSecret } from './mcp-server-rules';
import { pinnedByEnv } from './env-bindings';
import { effectiveTree, readSettingsFile, settingsFileName, validateSettings } from './load-settings';
import type { Settings } from './schema';
import type { SettingsStore } from './settings-store';
import { livePaths, rowOf, secretRows, settingRows } from './setting-table';
import { forbiddenKeyPath, getPath, isPlainObject, leafPaths, mergeTrees, setPath, type Tree } from './tree-paths';

export const secretMask = '********';

export interface SettingsEditorDeps {
  store: SettingsStore;
  env: NodeJS.ProcessEnv;
  readFile?: (path: string) => string | null;
  /** Atomic write (tmp + rename) by default. */
  writeFile?: (path: string, text: string) => void;
}

export interface SettingsEditor {
  view(): SettingsView;
  /** `origin`: the transport the patch came through (only some may change a stdio MCP server's command). */
  update(patch: Record<string, unknown>, options?: { origin?: MethodOrigin | undefined }): SettingsUpdateResult;
}

function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Secrets replaced by the mask (a map's values one by one). */
export function maskSecrets(values: Tree): Tree {
  const copy = structuredClone(values);
  for (const row of secretRows) {
    const value = getPath(copy, row.path);
    if (typeof row.secret === 'object') setPath(copy, row.path, maskEntryMaps(value, row.secret.entryMaps, secretMask));
    else if (row.secret === 'values' && isPlainObject(value)) setPath(copy, row.path, Object.fromEntries(Object.keys(value).map((k) => [k, secretMask])));
    else if (value) setPath(copy, row.path, secretMask);
  }
  return copy;
}

/** A masked secret sent back unchanged means "keep the stored one". */
function withoutUnchangedSecrets(patch: Tree): Tree {
  const copy = structuredClone(patch);
  for (const row of secretRows) {
    const value = getPath(copy, row.path);
    if (typeof row.secret === 'object') dropUnchangedEntrySecrets(value, row.secret.entryMaps, secretMask);
    else if (row.secret === 'values' && isPlainObject(value)) {
      for (const [key, v] of Object.entries(value)) if (v === secretMask) delete value[key];
    } else if (value === secretMask) setPath(copy, row.path, undefined);
  }
  return JSON.parse(JSON.stringify(copy)) as Tree;
}

const failed = (fieldErrors: Record<string, string>): SettingsUpdateResult => ({ ok: false, fieldErrors, applied: [], restartRequired: [] });
const isLive = (path: string) => livePaths.some((live) => path === live || path.startsWith(`${live}.`) || live.startsWith(`${path}.`));

/**
 * The settings form's back end: shows the effective settings (secrets masked, env-pinned fields
 * named), validates a patch against the whole merged result field by field, writes settings.json
 * atomically, and applies at once, through the store, what can be applied without a restart.
 * Only paths of the setting table are taken; a key that could reach a prototype is refused.
 */
export function createSettingsEditor(deps: SettingsEditorDeps): SettingsEditor {
  const dataDir = deps.store.get().dataDir;
  const filePath = join(dataDir, settingsFileName);
  const write = deps.writeFile ?? writeAtomically;
  return {
    view() {
      return {
        values: maskSecrets(structuredClone(deps.store.get()) as unknown as Tree),
        pinnedByEnv: pinnedByEnv(deps.env),
        livePaths: [...livePaths],
        envVars: Object.fromEntries(settingRows.filter((r) => r.env).map((r) => [r.path, r.env!.flatMap((source) => source.vars)])),
        file: filePath,
      };
    },
    update(rawPatch, options = {}) {
      const hostile = forbiddenKeyPath(rawPatch);
      if (hostile) return failed({ [hostile]: `'${hostile.split('.').find((k) => ['__proto__', 'constructor', 'prototype'].includes(k))}' is not a settings field` });
      const patch = withoutUnchangedSecrets(rawPatch);
      const paths = leafPaths(patch);
      const fieldErrors: Record<string, string> = {};
      const pinned = new Set(pinnedByEnv(deps.env));
      for (const path of paths) {
        const row = rowOf(path);
        if (!row && !paths.some((p) => p !== path && p.startsWith(`${path}.`))) fieldErrors[path] = 'not a setting';
        else if (row?.path === 'dataDir') fieldErrors.dataDir = 'the data dir is chosen with BRUNO_DATA_DIR';
        else if (row && pinned.has(row.path)) fieldErrors[path] = 'set by an environment variable, which wins over the settings file';
      }
      if (Object.keys(fieldErrors).length) return failed(fieldErrors);

      let fromFile: Tree;
      try {
        fromFile = readSettingsFile(filePath, deps.readFile) ?? {};
      } catch (err) {
        return failed({ settings: (err as Error).message });
      }
      const nextFile = mergeTrees(fromFile, patch);
      dropRemovedServers(nextFile);
      if (!commandOrigins.includes(options.origin as never)) {
        const refused = changedCommands(fromFile.mcpServers, nextFile.mcpServers);
        if (refused.length) return failed(Object.fromEntries(refused.map((name) => [`mcpServers.${name}`, commandRefusal(name, filePath, options.origin)])));
      }
      const masks = secretRows.flatMap((row) =>
        typeof row.secret === 'object' ? masksWithoutSecret(getPath(rawPatch, row.path), getPath(fromFile, row.path), row.secret.entryMaps, secretMask, row.path) : [],
      );
      if (masks.length) return failed(Object.fromEntries(masks.map((path) => [path, 'a masked value with no stored secret behind it: type the value'])));
      const { settings: next, problems } = validateSettings(effectiveTree(dataDir, nextFile, deps.env));
      if (!next) return failed(problems);
      try {
        write(filePath, `${JSON.stringify(nextFile, null, 2)}\n`);
      } catch (err) {
        return failed({ settings: `Cannot save ${filePath}: ${(err as Error).message}` });
      }
      const applied = paths.filter(isLive);
      if (applied.length) {
        const live = structuredClone(deps.store.get()) as unknown as Tree;
        // A map setting is applied whole: a removed entry (mcpServers.x: null) must go too.
        for (const path of new Set(applied.map((p) => rowOf(p)?.path ?? p))) setPath(live, path, structuredClone(getPath(next, path)));
        deps.store.set(live as unknown as Settings, applied);
      }
      return { ok: true, fieldErrors: {}, applied, restartRequired: paths.filter((p) => !isLive(p)) };
    },
  };
}
