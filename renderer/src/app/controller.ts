/**
 * The UI's use of the contract: what a click does, and how bridge events land in the store.
 * Kept apart from components so it is the same for every view and testable with a fake bridge.
 */
import type { Bridge, Unsubscribe } from '../../../core/common';
import type { ConnectionSource, ConnectionState } from '../bridge/connection';
import { toUiError } from '../bridge/errors';
import { selectCanSend, type AppStore } from '../store';

export interface Controller {
  /** Subscribes to events and connection changes and loads the first data; returns the undo. */
  start(): Unsubscribe;
  send(text: string): Promise<void>;
  stop(): Promise<void>;
  refreshModels(): Promise<void>;
  refreshHealth(): Promise<void>;
}

export interface ControllerDeps {
  store: AppStore;
  bridge: Bridge;
  connection: ConnectionSource;
  newTurnId?: () => string;
  /** How long a stop that found nothing running waits for an in-flight end event. */
  stopGraceMs?: number;
}

export const DROPPED_DURING_TURN =
  'The connection to Agent Bruno dropped during this answer; the rest of it was not received.';

export function createController(deps: ControllerDeps): Controller {
  const { store, bridge, connection } = deps;
  const newTurnId = deps.newTurnId ?? randomId;
  const stopGraceMs = deps.stopGraceMs ?? 1000;
  const chat = () => store.getState().chat;

  const refreshModels = async () => {
    const models = store.getState().models;
    models.loading();
    try {
      store.getState().models.loaded(await bridge.invoke('models.list'));
    } catch (err) {
      store.getState().models.failed(toUiError(err).message);
    }
  };

  const refreshHealth = async () => {
    try {
      store.getState().health.update(await bridge.invoke('health.get'));
    } catch {
      // The indicator keeps its last state; health events or the next reconnect update it.
    }
  };

  const onConnection = (next: ConnectionState, previous: ConnectionState['status']) => {
    store.getState().connection.update(next);
    if (next.status !== 'open' || previous === 'open') return;
    void refreshHealth();
    void refreshModels();
    // Events sent while the stream was down are gone: a running turn cannot finish here.
    const turnId = chat().activeTurnId;
    if (turnId && previous === 'lost') {
      bridge.invoke('chat.stop', { turnId }).catch(() => {});
      chat().endTurnLocally(turnId, { status: 'error', error: { code: 'stream_interrupted', message: DROPPED_DURING_TURN } });
    }
  };

  return {
    start() {
      const offs: Unsubscribe[] = [
        bridge.on('chat.event', (batch) => {
          chat().receiveBatch(batch);
          // A finished turn has (un)loaded models: the picker's "loaded" marks follow.
          if (batch.events.some((e) => e.type === 'done')) void refreshModels();
        }),
        bridge.on('health', (state) => store.getState().health.update(state)),
      ];
      let previous: ConnectionState['status'] = 'connecting';
      const apply = (state: ConnectionState) => {
        const before = previous;
        previous = state.status;
        onConnection(state, before);
      };
      offs.push(connection.onChange(apply));
      apply(connection.current());
      return () => offs.forEach((off) => off());
    },

    async send(raw) {
      const text = raw.trim();
      const state = store.getState();
      if (!text || !selectCanSend(state)) return;
      const turnId = newTurnId();
      const model = state.models.selected;
      const conversationId = state.chat.conversationId;
      // Registered before the invoke: its events may arrive before the invoke resolves.
      state.chat.beginTurn({ turnId, text, model });
      try {
        const accepted = await bridge.invoke('chat.send', {
          message: text,
          turnId,
          ...(conversationId ? { conversationId } : {}),
          ...(model ? { model } : {}),
        });
        chat().turnAccepted(accepted);
      } catch (err) {
        chat().endTurnLocally(turnId, { status: 'error', error: toUiError(err) });
      }
    },

    async stop() {
      const { activeTurnId: turnId, stopping } = chat();
      if (!turnId || stopping) return;
      chat().setStopping(turnId, true);
      try {
        const { stopped } = await bridge.invoke('chat.stop', { turnId });
        // Nothing was running: the end event is in flight or was lost. Wait briefly, then end it here.
        if (!stopped) setTimeout(() => chat().endTurnLocally(turnId, { status: 'stopped' }), stopGraceMs);
      } catch (err) {
        chat().setStopping(turnId, false);
        chat().showError(toUiError(err));
      }
    },

    refreshModels,
    refreshHealth,
  };
}

function randomId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID needs a secure context; loopback is one, but a LAN address would not be.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
