import { describe, expect, it } from 'vitest';
import type { Bridge, ChatEventBatch, EventChannel, EventPayloads, InvokeChannel, TurnStats } from '../../core/common';
import { createController, DROPPED_DURING_TURN } from '../../renderer/src/app/controller';
import type { ConnectionSource, ConnectionState } from '../../renderer/src/bridge/connection';
import { createAppStore } from '../../renderer/src/app/store';

type Handler = (input: unknown) => Promise<unknown>;

function fakeBridge(handlers: Partial<Record<InvokeChannel, Handler>>) {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: Array<[string, unknown]> = [];
  const bridge: Bridge = {
    invoke: (async (channel: InvokeChannel, input?: unknown) => {
      calls.push([channel, input]);
      const handler = handlers[channel];
      if (!handler) throw Object.assign(new Error(`no ${channel}`), { code: 'unknown_channel' });
      return handler(input);
    }) as Bridge['invoke'],
    on: ((channel: string, listener: (p: unknown) => void) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
      return () => listeners.get(channel)!.delete(listener);
    }) as Bridge['on'],
  };
  const emit = <E extends EventChannel>(channel: E, payload: EventPayloads[E]) => listeners.get(channel)?.forEach((l) => l(payload));
  return { bridge, emit, calls };
}

function fakeConnection(initial: ConnectionState['status'] = 'open') {
  let state: ConnectionState = { status: initial, detail: null, retryInMs: null };
  const listeners = new Set<(s: ConnectionState) => void>();
  const source: ConnectionSource = { current: () => state, onChange: (l) => (listeners.add(l), () => listeners.delete(l)) };
  return { source, set: (status: ConnectionState['status']) => ((state = { status, detail: null, retryInMs: null }), listeners.forEach((l) => l(state))) };
}

const stats = { model: 'm', ttft_s: 0.1, tokens_per_second: 10, input_tokens: 1, output_tokens: 2, wall_duration_s: 1, done_reason: 'stop' } as TurnStats;
const immediate = (cb: () => void) => cb();
const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('controller', () => {
  it('loads health, models, conversations, alerts and settings when the connection opens', async () => {
    const conn = fakeConnection('connecting');
    const { bridge, calls } = fakeBridge({
      'health.get': async () => ({ status: 'ok', checkedAt: 'now', ollama: { url: 'u', reachable: true, version: '0.6', loadedModels: [], error: null } }),
      'models.list': async () => [],
    });
    const store = createAppStore({ scheduleFrame: immediate });
    createController({ store, bridge, connection: conn.source }).start();
    expect(calls).toEqual([]);
    conn.set('open');
    await flushPromises();
    expect(calls.map(([c]) => c).sort()).toEqual(['alerts.list', 'conversations.list', 'health.get', 'models.list', 'settings.get']);
    expect(store.getState().health.state?.ollama.version).toBe('0.6');
    expect(store.getState().models.status).toBe('ready');
  });

  it('matches events that arrive before chat.send resolves', async () => {
    let emitEarly: (b: ChatEventBatch) => void = () => {};
    const { bridge, emit, calls } = fakeBridge({
      'chat.send': async (input) => {
        const { turnId } = input as { turnId: string };
        emitEarly({ turnId, conversationId: 'c9', events: [{ type: 'token', text: 'early ' }] });
        return { turnId, conversationId: 'c9' };
      },
      'models.list': async () => [],
      'health.get': async () => Promise.reject(new Error('x')),
    });
    emitEarly = (b) => emit('chat.event', b);
    const store = createAppStore({ scheduleFrame: immediate });
    const controller = createController({ store, bridge, connection: fakeConnection().source, newTurnId: () => 'turn-1' });
    controller.start();
    store.getState().models.select('qwen3:4b');
    await controller.send('  hi there  ');
    expect(calls.find(([c]) => c === 'chat.send')?.[1]).toEqual({ message: 'hi there', turnId: 'turn-1', model: 'qwen3:4b' });
    emit('chat.event', { turnId: 'turn-1', conversationId: 'c9', events: [{ type: 'token', text: 'late' }, { type: 'done', conversationId: 'c9', messageId: 'm', stats, sources: [] }] });
    const answer = store.getState().chat.messages[1]!;
    expect(answer).toMatchObject({ text: 'early late', status: 'done', stats });
    // The next turn continues the conversation.
    await controller.send('again');
    expect(calls.filter(([c]) => c === 'chat.send')[1]?.[1]).toMatchObject({ conversationId: 'c9' });
  });

  it('a rejected chat.send ends the turn and shows the core message', async () => {
    const { bridge } = fakeBridge({
      'chat.send': async () => Promise.reject(Object.assign(new Error('Model "x" is not pulled. Run `ollama pull x`'), { code: 'model_not_found' })),
      'models.list': async () => [],
      'health.get': async () => Promise.reject(new Error('x')),
    });
    const store = createAppStore({ scheduleFrame: immediate });
    const controller = createController({ store, bridge, connection: fakeConnection().source });
    controller.start();
    await controller.send('hi');
    expect(store.getState().chat.error).toEqual({ code: 'model_not_found', message: 'Model "x" is not pulled. Run `ollama pull x`' });
    expect(store.getState().chat.activeTurnId).toBeNull();
  });

  it('does not send while a turn runs, or when the connection is not open', async () => {
    const conn = fakeConnection();
    const { bridge, calls } = fakeBridge({ 'chat.send': async (i) => ({ turnId: (i as { turnId: string }).turnId, conversationId: 'c' }) });
    const store = createAppStore({ scheduleFrame: immediate });
    const controller = createController({ store, bridge, connection: conn.source });
    controller.start();
    await controller.send('one');
    await controller.send('two');
    await controller.send('   ');
    expect(calls.filter(([c]) => c === 'chat.send')).toHaveLength(1);
    expect(store.getState().chat.messages).toHaveLength(2);
  });

  it('stop sends chat.stop; the cancelled event marks the answer stopped', async () => {
    const { bridge, emit, calls } = fakeBridge({
      'chat.send': async (i) => ({ turnId: (i as { turnId: string }).turnId, conversationId: 'c' }),
      'chat.stop': async () => ({ stopped: true }),
    });
    const store = createAppStore({ scheduleFrame: immediate });
    const controller = createController({ store, bridge, connection: fakeConnection().source, newTurnId: () => 't' });
    controller.start();
    await controller.send('long one');
    emit('chat.event', { turnId: 't', conversationId: 'c', events: [{ type: 'token', text: 'part' }] });
    await controller.stop();
    await controller.stop(); // a second press while stopping sends nothing more
    expect(calls.filter(([c]) => c === 'chat.stop')).toEqual([['chat.stop', { turnId: 't' }]]);
    expect(store.getState().chat.stopping).toBe(true);
    emit('chat.event', { turnId: 't', conversationId: 'c', events: [{ type: 'error', code: 'cancelled', message: 'Stopped' }] });
    expect(store.getState().chat.messages[1]).toMatchObject({ status: 'stopped', text: 'part' });
    expect(store.getState().chat.error).toBeNull();
  });

  it('a stop that finds nothing running ends the turn here after a grace period', async () => {
    const { bridge } = fakeBridge({
      'chat.send': async (i) => ({ turnId: (i as { turnId: string }).turnId, conversationId: 'c' }),
      'chat.stop': async () => ({ stopped: false }),
    });
    const store = createAppStore({ scheduleFrame: immediate });
    const controller = createController({ store, bridge, connection: fakeConnection().source, stopGraceMs: 1 });
    controller.start();
    await controller.send('x');
    await controller.stop();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(store.getState().chat.messages[1]?.status).toBe('stopped');
  });

  it('a reconnect during a turn ends it: its remaining events were lost with the stream', async () => {
    const conn = fakeConnection();
    const { bridge, calls } = fakeBridge({
      'chat.send': async (i) => ({ turnId: (i as { turnId: string }).turnId, conversationId: 'c' }),
      'chat.stop': async () => ({ stopped: true }),
      'models.list': async () => [],
      'health.get': async () => Promise.reject(new Error('x')),
    });
    const store = createAppStore({ scheduleFrame: immediate });
    const controller = createController({ store, bridge, connection: conn.source, newTurnId: () => 't' });
    controller.start();
    await controller.send('x');
    conn.set('lost');
    expect(store.getState().connection.status).toBe('lost');
    conn.set('open');
    expect(store.getState().chat.messages[1]).toMatchObject({ status: 'error', error: { message: DROPPED_DURING_TURN } });
    expect(calls.some(([c, i]) => c === 'chat.stop' && (i as { turnId: string }).turnId === 't')).toBe(true);
  });
});

describe('knowledge base: choose folders in the desktop app', () => {
  it('ingests what the native dialog returns, and nothing when cancelled', async () => {
    const { createController } = await import('../../renderer/src/app/controller');
    const { createAppStore } = await import('../../renderer/src/app/store');
    const calls: unknown[] = [];
    const bridge = {
      invoke: async (channel: string, input: unknown) => {
        calls.push([channel, input]);
        return channel === 'kb.ingest' ? { jobId: 'j1' } : [];
      },
      on: () => () => {},
    };
    const connection = { state: () => ({ status: 'open' as const, detail: null, retryInMs: null }), subscribe: () => () => {} };
    let answer: string[] = ['/srv/docs'];
    const controller = createController({ store: createAppStore(), bridge: bridge as never, connection: connection as never, pickPaths: async () => answer });
    expect(controller.canPickPaths).toBe(true);
    await controller.pickAndIngest('folders');
    answer = [];
    await controller.pickAndIngest('files');
    expect(calls.filter((c) => (c as [string])[0] === 'kb.ingest')).toEqual([['kb.ingest', { paths: ['/srv/docs'] }]]);
    const headless = createController({ store: createAppStore(), bridge: bridge as never, connection: connection as never });
    expect(headless.canPickPaths).toBe(false);
  });
});

describe('memory view', () => {
  it('a search that was still running when an entry was deleted does not bring it back', async () => {
    const nas = { id: 'f1', type: 'semantic', text: 'The NAS lives at 10.0.0.5', createdAt: 'now', source: 'user', conversationId: null, score: 1 };
    const router = { ...nas, id: 'f2', text: 'The router is at 10.0.0.1' };
    let facts = [nas, router];
    const searches: Array<() => void> = [];
    const { bridge } = fakeBridge({
      // The search embeds its query first: it answers with what it read when it started.
      'memory.list': async (input) => {
        const snapshot = [...facts];
        if ((input as { query?: string }).query) return new Promise((resolve) => searches.push(() => resolve(snapshot)));
        return snapshot;
      },
      'memory.status': async () => ({ persistent: true, journalPath: 'j', problem: null, entries: { episodic: 0, semantic: facts.length, procedural: 0 } }),
      'memory.delete': async (input) => {
        facts = facts.filter((f) => f.id !== (input as { id: string }).id);
        return { deleted: true };
      },
    });
    const store = createAppStore({ scheduleFrame: immediate });
    const controller = createController({ store, bridge, connection: fakeConnection().source });
    await controller.refreshMemory();
    const searching = controller.searchMemory('NAS');
    await flushPromises();
    const deleting = controller.deleteMemory('f1');
    await flushPromises();
    // The search from before the delete answers last, with the deleted entry in it.
    for (const answer of searches.reverse()) answer();
    await Promise.all([searching, deleting]);
    expect(store.getState().memory.entries.map((e) => e.id)).toEqual(['f2']);
  });
});
