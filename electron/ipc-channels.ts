/**
 * The Electron IPC names, shared by main and preload. The whole contract rides on two IPC
 * channels: one `invoke` channel carrying `(contractChannel, input)` and answering with an
 * envelope, and one `send` channel carrying `(eventChannel, payload)`. One handler means an
 * unknown contract channel still gets an envelope (`unknown_channel`) instead of Electron's
 * "No handler registered" rejection, which would lose the code.
 */
export {
  invokeChannels as bridgeInvokeChannels,
  eventChannels as bridgeEventChannels,
  isInvokeChannel as isBridgeInvokeChannel,
  isEventChannel as isBridgeEventChannel,
} from '../core/common/channels';

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
