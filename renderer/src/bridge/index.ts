/**
 * Picks the transport: the preload's `window.bruno` under Electron, else the headless HTTP bridge
 * on the page's own origin. The rest of the UI only sees a Bridge and a ConnectionSource.
 */
import type { Bridge } from '../../../core/common';
import { isAppCommand, type AppCommandApi } from '../../../core/common/app-commands';
import { alwaysOpen, type ConnectionSource } from './connection';
import { HttpBridge } from './http-bridge';
import { bridgeFromEnvelopeApi, type IpcEnvelopeApi, type PickPaths } from './ipc-bridge';
import { takeToken } from './token';

declare global {
  interface Window {
    bruno?: IpcEnvelopeApi;
  }
}

export interface Transport {
  bridge: Bridge;
  connection: ConnectionSource;
  kind: 'ipc' | 'http';
  /** Menu and tray commands (Electron only). */
  commands?: AppCommandApi;
  /** The native open dialog (Electron only); headless mode types paths in. */
  pickPaths?: PickPaths;
}

export function createTransport(win: Window = window): Transport {
  if (win.bruno) {
    const api = win.bruno;
    const onCommand = api.onCommand?.bind(api);
    // Checked again on this side: a command is data that crossed a process boundary.
    const commands: AppCommandApi | undefined = onCommand
      ? { onCommand: (listener) => onCommand((command) => (isAppCommand(command) ? listener(command) : undefined)) }
      : undefined;
    const pick = api.pickPaths?.bind(api);
    const pickPaths: PickPaths | undefined = pick ? async (kind) => (await pick(kind)).filter((p) => typeof p === 'string') : undefined;
    return { bridge: bridgeFromEnvelopeApi(api), connection: alwaysOpen(), kind: 'ipc', ...(commands ? { commands } : {}), ...(pickPaths ? { pickPaths } : {}) };
  }
  let storage: Storage | null;
  try {
    storage = win.sessionStorage;
  } catch {
    storage = null;
  }
  const token = takeToken({ location: win.location, history: win.history, storage });
  const http = new HttpBridge({
    token,
    onProblem: (problem) => console.warn(`[bridge] ${problem}`),
  });
  return { bridge: http, connection: http, kind: 'http' };
}

export type { ConnectionSource, ConnectionState, ConnectionStatus } from './connection';
export type { PickPaths } from './ipc-bridge';
export { BridgeError, UNAUTHORIZED_HINT, toUiError, type UiError } from './errors';
