import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../renderer/src/bridge';
import { bridgeFromEnvelopeApi } from '../../renderer/src/bridge/ipc-bridge';
import { createIpcEnvelopeApi, type IpcRendererLike } from '../../electron/preload/ipc-bridge';
import { ipcChannels } from '../../electron/ipc-channels';

/** The preload's envelope API on a fake ipcRenderer, unwrapped by the renderer: codes survive. */
function wire(reply: (channel: string, input: unknown) => unknown) {
  const listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
  const ipc: IpcRendererLike = {
    invoke: async (_ipcChannel: string, channel: string, input: unknown) => reply(channel, input),
    on: (channel: string, listener: (event: unknown, ...args: unknown[]) => void) => void listeners.set(channel, listener),
    removeListener: (channel: string) => void listeners.delete(channel),
  } as unknown as IpcRendererLike;
  return { bridge: bridgeFromEnvelopeApi(createIpcEnvelopeApi(ipc)), listeners };
}

describe('Electron bridge (preload envelopes unwrapped in the page)', () => {
  it('returns the result of an ok envelope', async () => {
    const { bridge } = wire((channel) => ({ ok: true, result: { channel } }));
    await expect(bridge.invoke('health.get')).resolves.toEqual({ channel: 'health.get' });
  });

  it('keeps the core error code that contextBridge would strip from a thrown Error', async () => {
    const { bridge } = wire(() => ({ ok: false, error: { code: 'model_not_found', message: "Model 'x' is not pulled - run `ollama pull x`" } }));
    const error = await bridge.invoke('models.list').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BridgeError);
    expect(error).toMatchObject({ code: 'model_not_found', message: "Model 'x' is not pulled - run `ollama pull x`" });
  });

  it("keeps main's unknown_channel code for a method main does not know", async () => {
    const { bridge } = wire((channel) => ({ ok: false, error: { code: 'unknown_channel', message: `Unknown method '${channel}'` } }));
    await expect(bridge.invoke('fs.read' as 'health.get')).rejects.toMatchObject({ code: 'unknown_channel', message: "Unknown method 'fs.read'" });
  });

  it('delivers events to subscribers', () => {
    const { bridge, listeners } = wire(() => null);
    const got: unknown[] = [];
    const off = bridge.on('health', (p) => got.push(p));
    listeners.get(ipcChannels.event)?.({}, 'health', { status: 'ok' });
    off();
    expect(got).toEqual([{ status: 'ok' }]);
    expect(listeners.has(ipcChannels.event)).toBe(false);
  });
});
