/**
 * `window.bruno.onCommand`: the shell's commands to the UI (tray "New chat", "Show last trace",
 * a clicked alert notification). Every message is checked with `isAppCommand`, so a malformed
 * one never reaches the page. Plain module; `ipcRenderer` is injected.
 */
import { isAppCommand, type AppCommandApi } from '../../core/common/app-commands';
import { ipcChannels } from '../ipc-channels';
import type { IpcRendererLike } from './ipc-bridge';

export function createCommandApi(ipc: Pick<IpcRendererLike, 'on' | 'removeListener'>, onListenerError: (err: unknown) => void = report): AppCommandApi {
  return {
    onCommand(listener) {
      if (typeof listener !== 'function') throw new TypeError('onCommand needs a function');
      // One IPC listener per subscription; the page gets the command only, never the IPC event.
      const handler = (_event: unknown, command: unknown) => {
        if (!isAppCommand(command)) return;
        try {
          listener(command);
        } catch (err) {
          onListenerError(err);
        }
      };
      ipc.on(ipcChannels.command, handler);
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        ipc.removeListener(ipcChannels.command, handler);
      };
    },
  };
}

function report(err: unknown): void {
  console.error('[agent-bruno] a command listener threw', err);
}
