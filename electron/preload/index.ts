/**
 * The preload: exposes the contract's Bridge as `window.bruno`, and nothing else. Only plain
 * functions cross `contextBridge` (the bridge's methods are closures, not `this`-bound); the page
 * never sees `ipcRenderer` or an IPC event object.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createIpcBridge } from './ipc-bridge';

const { invoke, on } = createIpcBridge(ipcRenderer);

contextBridge.exposeInMainWorld('bruno', { invoke, on });
