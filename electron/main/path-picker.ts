import { ipcChannels } from '../ipc-channels';
import type { IpcMainLike } from './ipc-binding';
import type { Log } from './log';
import { isFromAppFrame } from './sender-check';

export type PickKind = 'folders' | 'files';

export interface OpenDialogOptionsLike {
  title: string;
  buttonLabel: string;
  properties: ('openDirectory' | 'openFile' | 'multiSelections')[];
}

export interface PathPickerDeps {
  ipc: IpcMainLike;
  /** `dialog.showOpenDialog(win, options)`; injected so the logic is tested without Electron. */
  showOpenDialog: (options: OpenDialogOptionsLike) => Promise<{ canceled: boolean; filePaths: string[] }>;
  isAllowedSender: (frameUrl: string) => boolean;
  log: Log;
}

/**
 * The knowledge base's "Choose folders / files" in the desktop app: the native open dialog, whose
 * paths the page then sends to `kb.ingest`. Folders and files are two dialogs because Linux and
 * Windows cannot pick both in one. A call from anything but the app page gets no dialog.
 */
export function bindPathPicker(deps: PathPickerDeps): () => void {
  deps.ipc.handle(ipcChannels.pickPaths, async (event, kind) => {
    if (!isFromAppFrame(event, deps.isAllowedSender)) {
      deps.log('ipc: refused a path dialog for a frame that is not the app renderer');
      return [];
    }
    const folders = kind !== 'files';
    const result = await deps.showOpenDialog({
      title: folders ? 'Add folders to the knowledge base' : 'Add files to the knowledge base',
      buttonLabel: 'Add',
      properties: [folders ? 'openDirectory' : 'openFile', 'multiSelections'],
    });
    return result.canceled ? [] : result.filePaths.filter((p) => typeof p === 'string' && p.length > 0);
  });
  return () => deps.ipc.removeHandler(ipcChannels.pickPaths);
}
