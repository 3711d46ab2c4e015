/**
 * Commands the desktop shell sends to the UI (the tray's "New chat", "Show last trace", a clicked
 * alert notification). They are not part of the contract: the core never sends them and the
 * headless mode has none. Under Electron they arrive through `window.bruno.onCommand`.
 * Dependency-free: the sandboxed preload bundles this file.
 */
export type AppCommand =
  | { type: 'new-chat' }
  /** Show a trace in the app's own trace view (Grafana is not configured, or the user asked for it). */
  | { type: 'show-trace'; traceId: string }
  | { type: 'show-alerts' };

export type AppCommandType = AppCommand['type'];

export const appCommandTypes: readonly AppCommandType[] = ['new-chat', 'show-trace', 'show-alerts'];

/** What the preload adds to `window.bruno` for these commands. */
export interface AppCommandApi {
  /** Returns its unsubscribe. */
  onCommand(listener: (command: AppCommand) => void): () => void;
}

/** Strict check of a command that crossed IPC: known type, exactly the expected fields. */
export function isAppCommand(value: unknown): value is AppCommand {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v).sort().join(',');
  switch (v.type) {
    case 'new-chat':
    case 'show-alerts':
      return keys === 'type';
    case 'show-trace':
      return keys === 'traceId,type' && typeof v.traceId === 'string' && /^[0-9a-f]{32}$/.test(v.traceId);
    default:
      return false;
  }
}
