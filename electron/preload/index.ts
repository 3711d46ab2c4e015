/**
 * The preload: exposes the contract as `window.bruno`, and nothing else. `invoke` resolves with
 * an envelope (`{ok, result}` / `{ok:false, error:{code, message}}`) rather than throwing: an Error
 * crossing contextBridge keeps only its message (electron/electron#25596), and the renderer needs
 * the code. The renderer unwraps it (renderer/src/bridge/ipc-bridge.ts). Only plain functions
 * cross; the page never sees `ipcRenderer` or an IPC event object.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createIpcEnvelopeApi } from './ipc-bridge';

const { invoke, on } = createIpcEnvelopeApi(ipcRenderer);

contextBridge.exposeInMainWorld('bruno', { invoke, on });
