/**
 * The preload: exposes the contract as `window.bruno`, and nothing else. `invoke` resolves with
 * an envelope (`{ok, result}` / `{ok:false, error:{code, message}}`) rather than throwing: an Error
 * crossing contextBridge keeps only its message (electron/electron#25596), and the renderer needs
 * the code. The renderer unwraps it (renderer/src/bridge/ipc-bridge.ts). Only plain functions
 * cross; the page never sees `ipcRenderer` or an IPC event object. `onCommand` carries the
 * shell's commands (tray "New chat", ...) and `pickPaths` the native open dialog: both belong to the
 * desktop, not to the contract.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createCommandApi } from './command-bridge';
import { createIpcEnvelopeApi } from './ipc-bridge';
import { createPathPicker } from './path-picker';

const { invoke, on } = createIpcEnvelopeApi(ipcRenderer);
const { onCommand } = createCommandApi(ipcRenderer);
const { pickPaths } = createPathPicker(ipcRenderer);

contextBridge.exposeInMainWorld('bruno', { invoke, on, onCommand, pickPaths });
