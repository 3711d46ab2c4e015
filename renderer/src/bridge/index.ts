/**
 * Picks the transport: the preload's `window.bruno` under Electron, else the headless HTTP bridge
 * on the page's own origin. The rest of the UI only sees a Bridge and a ConnectionSource.
 */
import type { Bridge } from '../../../core/common';
import { alwaysOpen, type ConnectionSource } from './connection';
import { HttpBridge } from './http-bridge';
import { bridgeFromEnvelopeApi, type IpcEnvelopeApi } from './ipc-bridge';
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
}

export function createTransport(win: Window = window): Transport {
  if (win.bruno) return { bridge: bridgeFromEnvelopeApi(win.bruno), connection: alwaysOpen(), kind: 'ipc' };
  let storage: Storage | null = null;
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
export { BridgeError, UNAUTHORIZED_HINT, toUiError, type UiError } from './errors';
