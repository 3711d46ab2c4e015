/**
 * What settings.json's `mcpServers` needs beyond the schema. A stdio server is a command the app
 * runs, with the user's rights: whoever can add one, or change its command, args, env or cwd, can
 * run anything. So that change is allowed only from the settings file itself and from the desktop
 * window (IPC); a holder of the headless API's token, a tool or a model cannot make it. Its `env`
 * values and an HTTP server's `headers` values carry tokens: secrets, masked one level down.
 */
import type { MethodOrigin } from '../common/method';
import { mcpServerSchema } from './schema';
import { isPlainObject, type Tree } from './tree-paths';

/** The origins that may add or change a stdio server's command. */
export const commandOrigins: readonly MethodOrigin[] = ['ipc'];

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (isPlainObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

/** The part of an entry that decides what runs; null for an HTTP entry or one the schema refuses. */
function commandPart(entry: unknown): string | null {
  const parsed = mcpServerSchema.safeParse(entry);
  if (!parsed.success || !('command' in parsed.data)) return null;
  const { command, args, env, cwd } = parsed.data;
  return canonical({ command, args, env, cwd: cwd ?? null });
}

/** Names of the servers whose command (or args, env, cwd) `after` adds or changes; toggling `disabled` or removing one is no change. */
export function changedCommands(before: unknown, after: unknown): string[] {
  const old = isPlainObject(before) ? before : {};
  if (!isPlainObject(after)) return [];
  return Object.keys(after).filter((name) => {
    const next = commandPart(after[name]);
    return next !== null && next !== (Object.hasOwn(old, name) ? commandPart(old[name]) : null);
  });
}

export function commandRefusal(name: string, settingsFile: string, origin: MethodOrigin | undefined): string {
  const via = origin === 'http' ? 'the HTTP API' : origin === 'mcp' ? 'an MCP client' : origin === 'cli' ? 'the command line' : 'this caller';
  return `a stdio MCP server is a command this machine runs, so it can be added or changed (command, args, env, cwd) only in ${settingsFile} or in the desktop app, not through ${via}`;
}

/** `{"mcpServers": {"name": null}}` in a patch removes that server. */
export function dropRemovedServers(tree: Tree): void {
  const servers = tree.mcpServers;
  if (!isPlainObject(servers)) return;
  for (const [name, entry] of Object.entries(servers)) if (entry === null) delete servers[name];
}

/** The value-maps of each entry (`env`, `headers`) with every value replaced by `mask`. */
export function maskEntryMaps(entries: unknown, fields: readonly string[], mask: string): unknown {
  if (!isPlainObject(entries)) return entries;
  return Object.fromEntries(
    Object.entries(entries).map(([name, entry]) => {
      if (!isPlainObject(entry)) return [name, entry];
      const copy: Tree = { ...entry };
      for (const field of fields) {
        const map = copy[field];
        if (isPlainObject(map)) copy[field] = Object.fromEntries(Object.keys(map).map((k) => [k, mask]));
      }
      return [name, copy];
    }),
  );
}

/** In a patch: a masked value sent back unchanged is dropped, so the merge keeps the stored one. */
export function dropUnchangedEntrySecrets(entries: unknown, fields: readonly string[], mask: string): void {
  if (!isPlainObject(entries)) return;
  for (const entry of Object.values(entries)) {
    if (!isPlainObject(entry)) continue;
    for (const field of fields) {
      const map = entry[field];
      if (isPlainObject(map)) for (const [key, v] of Object.entries(map)) if (v === mask) delete map[key];
    }
  }
}

/**
 * Paths (`mcpServers.x.headers.Authorization`) where a patch sends the mask but the file holds
 * no value to keep (a server renamed in the form): that would silently lose the secret.
 */
export function masksWithoutSecret(patchEntries: unknown, fileEntries: unknown, fields: readonly string[], mask: string, prefix: string): string[] {
  if (!isPlainObject(patchEntries)) return [];
  const stored = isPlainObject(fileEntries) ? fileEntries : {};
  return Object.entries(patchEntries).flatMap(([name, entry]) => {
    if (!isPlainObject(entry)) return [];
    const storedEntry = Object.hasOwn(stored, name) && isPlainObject(stored[name]) ? stored[name] : {};
    return fields.flatMap((field) => {
      const map = entry[field];
      const storedMap = Object.hasOwn(storedEntry, field) && isPlainObject(storedEntry[field]) ? storedEntry[field] : {};
      return isPlainObject(map) ? Object.keys(map).filter((k) => map[k] === mask && !Object.hasOwn(storedMap, k)).map((k) => `${prefix}.${name}.${field}.${k}`) : [];
    });
  });
}
