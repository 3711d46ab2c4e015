import { describe, expect, it, vi } from 'vitest';
import { isAppCommand, type AppCommand } from '../../core/common/app-commands';
import { ipcChannels } from '../../electron/ipc-channels';
import { createCommandApi } from '../../electron/preload/command-bridge';

type Listener = (event: unknown, ...args: unknown[]) => void;

function fakeIpcRenderer() {
  const listeners = new Map<string, Listener[]>();
  return {
    ipc: {
      on(channel: string, l: Listener) {
        listeners.set(channel, [...(listeners.get(channel) ?? []), l]);
      },
      removeListener(channel: string, l: Listener) {
        listeners.set(channel, (listeners.get(channel) ?? []).filter((x) => x !== l));
      },
    },
    /** What `webContents.send('bruno:command', command)` in main would do. */
    send: (command: unknown) => listeners.get(ipcChannels.command)?.forEach((l) => l({ sender: 'ipc-event', ports: [] }, command)),
    count: () => (listeners.get(ipcChannels.command) ?? []).length,
  };
}

describe('shell commands to the renderer (window.bruno.onCommand)', () => {
  it('delivers valid commands only, without the IPC event', () => {
    const fake = fakeIpcRenderer();
    const got: unknown[][] = [];
    createCommandApi(fake.ipc).onCommand((...args) => void got.push(args));
    fake.send({ type: 'new-chat' });
    fake.send({ type: 'show-trace', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
    fake.send({ type: 'show-alerts' });
    fake.send({ type: 'show-trace', traceId: 'javascript:alert(1)' });
    fake.send({ type: 'new-chat', extra: 'x' });
    fake.send({ type: 'open-file', path: '/etc/passwd' });
    fake.send('new-chat');
    fake.send(null);
    expect(got).toEqual([[{ type: 'new-chat' }], [{ type: 'show-trace', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }], [{ type: 'show-alerts' }]]);
  });

  it('unsubscribe removes exactly its listener, once', () => {
    const fake = fakeIpcRenderer();
    const api = createCommandApi(fake.ipc);
    const a = vi.fn();
    const b = vi.fn();
    const offA = api.onCommand(a);
    api.onCommand(b);
    offA();
    offA();
    fake.send({ type: 'new-chat' });
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledTimes(1);
    expect(fake.count()).toBe(1);
  });

  it('a throwing listener is reported and does not stop the others', () => {
    const fake = fakeIpcRenderer();
    const onError = vi.fn();
    const api = createCommandApi(fake.ipc, onError);
    api.onCommand(() => {
      throw new Error('boom');
    });
    const ok = vi.fn();
    api.onCommand(ok);
    fake.send({ type: 'show-alerts' });
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'boom' }));
    expect(ok).toHaveBeenCalledWith({ type: 'show-alerts' });
    expect(() => api.onCommand('nope' as unknown as (c: AppCommand) => void)).toThrow(TypeError);
  });

  it('isAppCommand is strict', () => {
    expect(isAppCommand({ type: 'show-trace', traceId: 'A'.repeat(32) })).toBe(false);
    expect(isAppCommand([{ type: 'new-chat' }])).toBe(false);
    expect(isAppCommand({ type: 'show-alerts' })).toBe(true);
  });
});
