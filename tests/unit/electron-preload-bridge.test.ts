import { describe, expect, it, vi } from 'vitest';
import { eventChannels } from '../../core/common';
import { BrunoError, toErrorInfo } from '../../core/common/errors';
import { parseInvokeInput } from '../../core/common/contract';
import type { HealthState } from '../../core/common/health';
import { bridgeEventChannels, ipcChannels } from '../../electron/ipc-channels';
import { createIpcBridge, createIpcEnvelopeApi, type IpcRendererLike } from '../../electron/preload/ipc-bridge';

type Listener = (event: unknown, ...args: unknown[]) => void;

function fakeIpcRenderer(reply: (channel: string, ...args: unknown[]) => Promise<unknown> = async () => ({ ok: true, result: null })) {
  const listeners = new Map<string, Listener[]>();
  const invoke = vi.fn(reply);
  const ipc: IpcRendererLike = {
    invoke,
    on(channel, listener) {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
    },
    removeListener(channel, listener) {
      const list = listeners.get(channel) ?? [];
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    },
  };
  /** What `webContents.send('bruno:event', channel, payload)` in main would do. */
  const emit = (channel: string, payload: unknown) => {
    for (const l of [...(listeners.get(ipcChannels.event) ?? [])]) l({ sender: 'ipc-event' }, channel, payload);
  };
  const listenerCount = () => (listeners.get(ipcChannels.event) ?? []).length;
  return { ipc, invoke, emit, listenerCount };
}

const health = { status: 'ok' } as HealthState;

describe('IPC channel names', () => {
  it('lists exactly the contract events (method names are checked by main, whose registry carries zod)', () => {
    expect([...bridgeEventChannels].sort()).toEqual([...eventChannels].sort());
    expect(ipcChannels).toEqual({ invoke: 'bruno:invoke', event: 'bruno:event', command: 'bruno:command', pickPaths: 'bruno:pick-paths' });
  });
});

describe('preload IPC bridge', () => {
  it('sends the contract channel and input on the invoke channel and unwraps an ok envelope', async () => {
    const { ipc, invoke } = fakeIpcRenderer(async () => ({ ok: true, result: { turnId: 't1', conversationId: 'c1' } }));
    const bridge = createIpcBridge(ipc);
    await expect(bridge.invoke('chat.send', { message: 'hi' })).resolves.toEqual({ turnId: 't1', conversationId: 'c1' });
    expect(invoke).toHaveBeenCalledWith('bruno:invoke', 'chat.send', { message: 'hi' });
  });

  it('throws an Error carrying the code and message of an error envelope', async () => {
    const { ipc } = fakeIpcRenderer(async () => ({ ok: false, error: { code: 'invalid_request', message: 'Invalid input for chat.send: message: message is empty' } }));
    const err = await createIpcBridge(ipc).invoke('chat.send', { message: '' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(BrunoError);
    expect(err).toMatchObject({ code: 'invalid_request', message: 'Invalid input for chat.send: message: message is empty' });
  });

  it('maps an unknown error code, a malformed reply and a rejected invoke to internal errors', async () => {
    const odd = fakeIpcRenderer(async () => ({ ok: false, error: { code: 'weird', message: 'x' } }));
    await expect(createIpcBridge(odd.ipc).invoke('health.get')).rejects.toMatchObject({ code: 'internal', message: 'x' });
    const malformed = fakeIpcRenderer(async () => 'not an envelope');
    await expect(createIpcBridge(malformed.ipc).invoke('health.get')).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('malformed') });
    const rejected = fakeIpcRenderer(async () => {
      throw new Error("No handler registered for 'bruno:invoke'");
    });
    await expect(createIpcBridge(rejected.ipc).invoke('health.get')).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('No handler') });
  });

  it('leaves method names to main (its answer to an unknown one arrives with its code); refuses what is no name and unknown events', async () => {
    // What main answers (ipc-binding.ts checks the name against the method registry).
    const { ipc, invoke } = fakeIpcRenderer(async (_channel, method, payload) => {
      try {
        return { ok: true, result: parseInvokeInput(method, payload) };
      } catch (err) {
        return { ok: false, error: toErrorInfo(err) };
      }
    });
    const bridge = createIpcBridge(ipc);
    await expect(bridge.invoke('fs.readFile' as never)).rejects.toMatchObject({ code: 'unknown_channel', message: expect.stringContaining("Unknown method 'fs.readFile'. Known: chat.send") });
    await expect(bridge.invoke('__proto__' as never)).rejects.toMatchObject({ code: 'unknown_channel' });
    expect(invoke).toHaveBeenCalledTimes(2);
    await expect(bridge.invoke({ toString: () => 'chat.send' } as never)).rejects.toMatchObject({ code: 'unknown_channel' });
    await expect(bridge.invoke('x'.repeat(500) as never)).rejects.toMatchObject({ code: 'unknown_channel' });
    expect(invoke).toHaveBeenCalledTimes(2);
    expect(() => bridge.on('secrets' as never, () => {})).toThrow(/Unknown event 'secrets'/);
  });

  it('the envelope API resolves with envelopes and never rejects (codes survive contextBridge)', async () => {
    const { ipc, invoke } = fakeIpcRenderer(async () => ({ ok: false, error: { code: 'cancelled', message: 'stopped' } }));
    const api = createIpcEnvelopeApi(ipc);
    await expect(api.invoke('chat.stop', { turnId: 't' })).resolves.toEqual({ ok: false, error: { code: 'cancelled', message: 'stopped' } });
    await expect(api.invoke(42 as never)).resolves.toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
    expect(invoke).toHaveBeenCalledTimes(1);
  });

  it('delivers events of the subscribed channel only, without the IPC event object', () => {
    const { ipc, emit } = fakeIpcRenderer();
    const bridge = createIpcBridge(ipc);
    const onHealth = vi.fn();
    bridge.on('health', onHealth);
    emit('health', health);
    emit('chat.event', { turnId: 't', conversationId: 'c', events: [] });
    emit('not-a-channel', 1);
    expect(onHealth).toHaveBeenCalledTimes(1);
    expect(onHealth).toHaveBeenCalledWith(health);
  });

  it('unsubscribe removes exactly that listener, and the IPC listener goes when the last one does', () => {
    const { ipc, emit, listenerCount } = fakeIpcRenderer();
    const bridge = createIpcBridge(ipc);
    const a = vi.fn();
    const b = vi.fn();
    const offA = bridge.on('health', a);
    const offA2 = bridge.on('health', a); // the same function twice is two subscriptions
    const offB = bridge.on('health', b);
    expect(listenerCount()).toBe(1);

    offA();
    offA(); // idempotent: must not remove the second subscription of `a`
    emit('health', health);
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);

    offA2();
    offB();
    expect(listenerCount()).toBe(0);
    emit('health', health);
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);
  });

  it('a throwing listener does not stop the others', () => {
    const { ipc, emit } = fakeIpcRenderer();
    const onError = vi.fn();
    const bridge = createIpcBridge(ipc, onError);
    const after = vi.fn();
    bridge.on('health', () => {
      throw new Error('listener bug');
    });
    bridge.on('health', after);
    emit('health', health);
    expect(after).toHaveBeenCalledTimes(1);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'listener bug' }));
  });
});
