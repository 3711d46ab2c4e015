import { describe, expect, it, vi } from 'vitest';
import { ipcChannels } from '../../electron/ipc-channels';
import type { InvokeEventLike, IpcMainLike } from '../../electron/main/ipc-binding';
import { bindPathPicker, type OpenDialogOptionsLike } from '../../electron/main/path-picker';
import { createPathPicker } from '../../electron/preload/path-picker';

const appUrl = 'file:///app/out/renderer/index.html';

function fakeIpcMain() {
  const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
  const ipc: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const call = (url: string | null, ...args: unknown[]) => handlers.get(ipcChannels.pickPaths)!({ senderFrame: url === null ? null : { url, parent: null } } as unknown as InvokeEventLike, ...args);
  return { ipc, handlers, call };
}

describe('the native open dialog for the knowledge base', () => {
  it('opens a folder or a file dialog and answers the chosen paths', async () => {
    const { ipc, call } = fakeIpcMain();
    const shown: OpenDialogOptionsLike[] = [];
    bindPathPicker({
      ipc,
      showOpenDialog: async (options) => (shown.push(options), { canceled: false, filePaths: ['/home/me/notes', '/srv/docs'] }),
      isAllowedSender: (url) => url === appUrl,
      log: () => {},
    });
    await expect(call(appUrl, 'folders')).resolves.toEqual(['/home/me/notes', '/srv/docs']);
    await expect(call(appUrl, 'files')).resolves.toEqual(['/home/me/notes', '/srv/docs']);
    expect(shown.map((o) => o.properties)).toEqual([
      ['openDirectory', 'multiSelections'],
      ['openFile', 'multiSelections'],
    ]);
  });

  it('answers nothing when cancelled, and shows no dialog to a foreign frame', async () => {
    const { ipc, call } = fakeIpcMain();
    const showOpenDialog = vi.fn(async () => ({ canceled: true, filePaths: ['/ignored'] }));
    const log = vi.fn();
    bindPathPicker({ ipc, showOpenDialog, isAllowedSender: (url) => url === appUrl, log });
    await expect(call(appUrl, 'folders')).resolves.toEqual([]);
    await expect(call('https://evil.example/', 'folders')).resolves.toEqual([]);
    await expect(call(null, 'folders')).resolves.toEqual([]);
    expect(showOpenDialog).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/refused a path dialog/));
  });

  it('unbinds its handler', () => {
    const { ipc, handlers } = fakeIpcMain();
    const unbind = bindPathPicker({ ipc, showOpenDialog: async () => ({ canceled: true, filePaths: [] }), isAllowedSender: () => true, log: () => {} });
    expect(handlers.has(ipcChannels.pickPaths)).toBe(true);
    unbind();
    expect(handlers.has(ipcChannels.pickPaths)).toBe(false);
  });

  it('the preload side sends the kind and keeps only strings', async () => {
    const invoke = vi.fn(async () => ['/a', 42, null, '/b']);
    const picker = createPathPicker({ invoke } as never);
    await expect(picker.pickPaths('files')).resolves.toEqual(['/a', '/b']);
    expect(invoke).toHaveBeenCalledWith(ipcChannels.pickPaths, 'files');
    invoke.mockResolvedValueOnce('not a list' as never);
    await expect(picker.pickPaths('folders')).resolves.toEqual([]);
  });
});
