/**
 * The Electron IPC names, shared by main and preload. The whole contract rides on two IPC
 * channels: one `invoke` channel carrying `(contractChannel, input)` and answering with an
 * envelope, and one `send` channel carrying `(eventChannel, payload)`. One handler means an
 * unknown contract method still gets an envelope (`unknown_channel`, from main's check against
 * the method registry) instead of Electron's "No handler registered" rejection, which would lose
 * the code. The preload checks event names itself (their list has no dependencies); method names
 * are checked by main, whose registry carries zod, which a sandboxed preload cannot load.
 */
export { eventChannels as bridgeEventChannels, isEventChannel as isBridgeEventChannel } from '../core/common/channels';

export const ipcChannels = {
  /** renderer -> main, `ipcRenderer.invoke(invoke, contractChannel, input)` -> InvokeEnvelope */
  invoke: 'bruno:invoke',
  /** main -> renderer, `webContents.send(event, eventChannel, payload)` */
  event: 'bruno:event',
  /** main -> renderer, `webContents.send(command, appCommand)`: shell commands outside the contract (core/common/app-commands.ts) */
  command: 'bruno:command',
  /** renderer -> main, `ipcRenderer.invoke(pickPaths, 'folders' | 'files')` -> string[] (the native open dialog) */
  pickPaths: 'bruno:pick-paths',
} as const;
