import { describe, expect, it, vi } from 'vitest';
import type { ContractHandlers } from '../../core/common/contract';
import { createEventHub } from '../../core/common/emitter';
import { BrunoError } from '../../core/common/errors';
import type { HealthState } from '../../core/common/health';
import type { ChatEventBatch } from '../../core/common/turn';
import { ipcChannels } from '../../electron/ipc-channels';
import { invokeChannels } from '../../core/common/contract';
import { bindContractToIpc, type InvokeEventLike, type IpcMainLike } from '../../electron/main/ipc-binding';
import { isAppRendererUrl, type RendererSource } from '../../electron/main/renderer-source';

const appUrl = 'file:///app/out/renderer/index.html';
const source: RendererSource = { kind: 'file', dir: '/app/out/renderer', indexFile: '/app/out/renderer/index.html' };

const health: HealthState = {
  status: 'ok',
  checkedAt: '2025-01-01T00:00:00.000Z',
  ollama: { url: 'http://127.0.0.1:11434', reachable: true, version: '0.12.0', loadedModels: [], error: null },
  export: { status: 'off', endpoint: null, protocol: null, lastSuccessAt: null, lastErrorAt: null, lastError: null, dropped: { traces: 0, metrics: 0, logs: 0 } },
  prometheus: null,
  alertmanager: null,
  alerts: { firing: 0, pending: 0, highestSeverity: null },
  mcp: [],
};

function fakeIpcMain() {
  const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
  const ipc: IpcMainLike = {
    handle(channel, listener) {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler(channel) {
      handlers.delete(channel);
    },
  };
  /** What `ipcRenderer.invoke('bruno:invoke', channel, input)` would resolve with. */
  async function invoke(channel: unknown, input?: unknown, frame: InvokeEventLike['senderFrame'] = { url: appUrl, parent: null }) {
    const handler = handlers.get(ipcChannels.invoke);
    if (!handler) throw new Error('No handler registered');
    return handler({ senderFrame: frame }, channel, input);
  }
  return { ipc, registered: handlers, invoke };
}

function fakeWebContents() {
  const sent: unknown[][] = [];
  let destroyed = false;
  return {
    sent,
    destroy: () => void (destroyed = true),
    isDestroyed: () => destroyed,
    send: (channel: string, ...args: unknown[]) => void sent.push([channel, ...args]),
  };
}

/**
 * Every contract channel answers (null by default, so the fake keeps compiling as the contract
 * grows); the channels these tests use get realistic answers.
 */
function fakeHandlers(overrides: Partial<ContractHandlers> = {}): ContractHandlers {
  const generic = Object.fromEntries(invokeChannels.map((channel) => [channel, vi.fn(async () => null)]));
  return {
    ...generic,
    'chat.send': vi.fn(async (input: { turnId?: string; conversationId?: string }) => ({ turnId: input.turnId ?? 't1', conversationId: input.conversationId ?? 'c1' })),
    'chat.stop': vi.fn(async () => ({ stopped: true })),
    'models.list': vi.fn(async () => []),
    'health.get': vi.fn(async () => health),
    'traces.get': vi.fn(async () => []),
    'alerts.list': vi.fn(async () => ({ mode: 'local' as const, alerts: [], needsPrometheus: [], updatedAt: null })),
    ...overrides,
  } as unknown as ContractHandlers;
}

function setup(overrides: Partial<ContractHandlers> = {}) {
  const main = fakeIpcMain();
  const target = fakeWebContents();
  const events = createEventHub();
  const handlers = fakeHandlers(overrides);
  const log = vi.fn();
  const audit = { record: vi.fn() };
  const unbind = bindContractToIpc({
    ipc: main.ipc,
    handlers,
    events,
    target,
    isAllowedSender: (url) => isAppRendererUrl(url, source),
    log,
    audit,
  });
  return { ...main, target, events, handlers, log, audit, unbind };
}

describe('IPC binding of the contract', () => {
  it('answers a valid call with an ok envelope holding the handler result', async () => {
    const { invoke, handlers } = setup();
    await expect(invoke('chat.send', { message: 'hello', turnId: 'turn-1' })).resolves.toEqual({
      ok: true,
      result: { turnId: 'turn-1', conversationId: 'c1' },
    });
    expect(handlers['chat.send']).toHaveBeenCalledWith({ message: 'hello', turnId: 'turn-1' }, { origin: 'ipc' });
    await expect(invoke('health.get')).resolves.toEqual({ ok: true, result: health });
  });

  it('answers an invalid payload with invalid_request naming the field, without calling the handler', async () => {
    const { invoke, handlers } = setup();
    const reply = (await invoke('chat.send', { message: 'hi', turnId: 'has spaces!' })) as { ok: false; error: { code: string; message: string } };
    expect(reply.ok).toBe(false);
    expect(reply.error.code).toBe('invalid_request');
    expect(reply.error.message).toContain('turnId');
    expect(handlers['chat.send']).not.toHaveBeenCalled();

    const empty = (await invoke('chat.stop', {})) as { ok: false; error: { code: string; message: string } };
    expect(empty.error).toMatchObject({ code: 'invalid_request' });
    expect(empty.error.message).toContain('turnId');
  });

  it('answers an unknown contract channel with unknown_channel', async () => {
    const { invoke } = setup();
    await expect(invoke('fs.readFile', { path: '/etc/passwd' })).resolves.toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
  });

  it('audits a call from a foreign frame and a payload with a forbidden key, once each; a valid call not at all', async () => {
    const { invoke, audit } = setup();
    await invoke('health.get');
    expect(audit.record).not.toHaveBeenCalled();
    await invoke('health.get', undefined, { url: 'https://evil.example/', parent: null });
    await invoke('chat.send', JSON.parse('{"message":"hi","__proto__":{"polluted":1}}'));
    expect(audit.record.mock.calls.map(([event, , fields]) => [event, (fields as { endpoint: string }).endpoint])).toEqual([
      ['auth_refused', 'ipc:health.get'],
      ['forbidden_keys_refused', 'ipc:chat.send'],
    ]);
  });

  it('refuses senders that are not the app renderer, without calling the handler', async () => {
    const { invoke, handlers, log } = setup();
    const refused = { ok: false, error: { code: 'unauthorized', message: expect.stringContaining('Refused') } };
    await expect(invoke('health.get', undefined, { url: 'https://evil.example/', parent: null })).resolves.toEqual(refused);
    await expect(invoke('health.get', undefined, { url: 'file:///etc/passwd', parent: null })).resolves.toEqual(refused);
    await expect(invoke('health.get', undefined, { url: 'file:///app/out/renderer-evil/index.html', parent: null })).resolves.toEqual(refused);
    await expect(invoke('health.get', undefined, { url: 'file://server/app/out/renderer/index.html', parent: null })).resolves.toEqual(refused);
    await expect(invoke('health.get', undefined, null)).resolves.toEqual(refused);
    // A subframe, even one of the app's own pages, does not speak for the user.
    await expect(invoke('health.get', undefined, { url: appUrl, parent: {} })).resolves.toEqual(refused);
    expect(handlers['health.get']).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith(expect.stringContaining('refused'), expect.objectContaining({ channel: 'health.get' }));
    // The app's page, with a hash route, is accepted.
    await expect(invoke('health.get', undefined, { url: `${appUrl}#/settings`, parent: null })).resolves.toMatchObject({ ok: true });
  });

  it('turns a throwing handler into an error envelope, keeping BrunoError codes, and keeps serving', async () => {
    const { invoke, log } = setup({
      'models.list': async () => {
        throw new BrunoError('ollama_unreachable', 'Ollama is not reachable at http://127.0.0.1:11434');
      },
      'health.get': async () => {
        throw new TypeError('boom');
      },
    });
    await expect(invoke('models.list')).resolves.toEqual({
      ok: false,
      error: { code: 'ollama_unreachable', message: 'Ollama is not reachable at http://127.0.0.1:11434' },
    });
    await expect(invoke('health.get')).resolves.toEqual({ ok: false, error: { code: 'internal', message: 'Internal error: boom' } });
    expect(log).toHaveBeenCalledWith('ipc: handler failed', expect.objectContaining({ channel: 'health.get' }));
    await expect(invoke('chat.stop', { turnId: 't1' })).resolves.toEqual({ ok: true, result: { stopped: true } });
  });

  it('answers an uncloneable result with an error envelope instead of a rejected invoke', async () => {
    const { invoke } = setup({ 'chat.stop': async () => ({ stopped: true, oops: () => 1 }) as never });
    await expect(invoke('chat.stop', { turnId: 't1' })).resolves.toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringContaining('chat.stop') } });
  });

  it('forwards every core event to the window on the event channel', () => {
    const { events, target } = setup();
    events.emit('health', health);
    const batch: ChatEventBatch = { turnId: 't1', conversationId: 'c1', events: [{ type: 'token', text: 'hi' }] };
    events.emit('chat.event', batch);
    expect(target.sent).toEqual([
      [ipcChannels.event, 'health', health],
      [ipcChannels.event, 'chat.event', batch],
    ]);
  });

  it('skips a destroyed webContents, and a failing send does not break the emitter', () => {
    const { events, target, log } = setup();
    target.destroy();
    expect(() => events.emit('health', health)).not.toThrow();
    expect(target.sent).toEqual([]);

    const other = setup();
    other.target.send = () => {
      throw new Error('Render frame was disposed');
    };
    expect(() => other.events.emit('health', health)).not.toThrow();
    expect(other.log).toHaveBeenCalledWith('ipc: could not forward an event', expect.objectContaining({ channel: 'health' }));
    expect(log).not.toHaveBeenCalled();
  });

  it('unbind removes the handler and the event listener, and is idempotent', async () => {
    const { invoke, registered, events, target, unbind, ipc } = setup();
    expect([...registered.keys()]).toEqual([ipcChannels.invoke]);
    unbind();
    unbind();
    expect(registered.size).toBe(0);
    await expect(invoke('health.get')).rejects.toThrow('No handler registered');
    events.emit('health', health);
    expect(target.sent).toEqual([]);
    // The channel is free again, e.g. for a re-created window.
    expect(() => ipc.handle(ipcChannels.invoke, () => null)).not.toThrow();
  });
});
