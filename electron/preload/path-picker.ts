import { ipcChannels } from '../ipc-channels';
import type { IpcRendererLike } from './ipc-bridge';

/** `window.bruno.pickPaths(kind)`: the native open dialog (Electron only); answers absolute paths. */
export function createPathPicker(ipc: Pick<IpcRendererLike, 'invoke'>) {
  return {
    async pickPaths(kind: 'folders' | 'files'): Promise<string[]> {
      const reply: unknown = await ipc.invoke(ipcChannels.pickPaths, kind === 'files' ? 'files' : 'folders');
      return Array.isArray(reply) ? reply.filter((p): p is string => typeof p === 'string') : [];
    },
  };
}
