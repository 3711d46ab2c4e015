/**
 * The UI's use of the contract: what a click does, and how bridge events land in the store.
 * Kept apart from components so it is the same for every view and testable with a fake bridge.
 */
import type { AppCommand, AppCommandApi } from '../../../core/common/app-commands';
import type { Bridge, Unsubscribe } from '../../../core/common';
import type { ConnectionSource, ConnectionState } from '../bridge/connection';
import { toUiError } from '../bridge/errors';
import { createLiveMetrics, type LiveMetrics } from '../live/live-metrics';
import { selectCanSend, type AppStore } from '../store';
import { createViewActions, type ViewActions } from './view-actions';
import type { PickPaths } from '../bridge';

export interface Controller extends ViewActions {
  /** Subscribes to events and connection changes and loads the first data; returns the undo. */
  start(): Unsubscribe;
  send(text: string): Promise<void>;
  stop(): Promise<void>;
  /** Sends the question of the last turn again (after an error or a stop). */
  retry(): Promise<void>;
  refreshModels(): Promise<void>;
  refreshHealth(): Promise<void>;
  /** Live samples for gauges and charts (ring buffers, outside React state). */
  readonly live: LiveMetrics;
}

export interface ControllerDeps {
  store: AppStore;
  bridge: Bridge;
  connection: ConnectionSource;
  newTurnId?: () => string;
  /** How long a stop that found nothing running waits for an in-flight end event. */
  stopGraceMs?: number;
  live?: LiveMetrics;
  /** Menu and tray commands of the Electron shell (absent in headless mode). */
  commands?: AppCommandApi;
  /** The native open dialog of the Electron shell (absent in headless mode). */
  pickPaths?: PickPaths;
}

export const DROPPED_DURING_TURN =
  'The connection to Agent Bruno dropped during this answer; the rest of it was not received.';

export function createController(deps: ControllerDeps): Controller {
  const { store, bridge, connection } = deps;
  const newTurnId = deps.newTurnId ?? randomId;
  const stopGraceMs = deps.stopGraceMs ?? 1000;
  const chat = () => store.getState().chat;
  const live = deps.live ?? createLiveMetrics();
  const views = createViewActions({ store, bridge, ...(deps.pickPaths ? { pickPaths: deps.pickPaths } : {}) });

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
    void views.refreshConversations();
    void views.refreshAlerts();
    void views.loadSettings();
    // Events sent while the stream was down are gone: a running turn cannot finish here.
    const turnId = chat().activeTurnId;
    if (turnId && previous === 'lost') {
      bridge.invoke('chat.stop', { turnId }).catch(() => {});
      chat().endTurnLocally(turnId, { status: 'error', error: { code: 'stream_interrupted', message: DROPPED_DURING_TURN } });
    }
  };

  const controller: Controller = {
    start() {
      const offs: Unsubscribe[] = [
        bridge.on('chat.event', (batch) => {
          const ours = chat().messages.some((m) => m.turnId === batch.turnId && m.status === 'streaming');
          chat().receiveBatch(batch);
          const done = batch.events.find((e) => e.type === 'done');
          if (done && done.type === 'done') {
            if (ours) live.onTurnDone(done.stats);
            // A finished turn has (un)loaded models: the picker's "loaded" marks follow.
            void refreshModels();
            // Sources and the trace id are stored with the turn.
            if (ours) void views.syncConversation(batch.conversationId);
          }
        }),
        bridge.on('health', (state) => store.getState().health.update(state)),
        bridge.on('turn.sample', (sample) => live.onSample(sample)),
        bridge.on('alerts', (state) => {
          store.getState().alerts.update(state);
          // The strip's alert counts and Prometheus/Alertmanager reachability follow the alerts.
          void refreshHealth();
        }),
        bridge.on('conversations', (change) => views.conversationsChanged(change)),
        bridge.on('kb.progress', (event) => views.kbProgress(event)),
      ];
      if (deps.commands) offs.push(deps.commands.onCommand((command) => runCommand(command)));
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

    async retry() {
      const { messages, activeTurnId } = chat();
      if (activeTurnId) return;
      const lastUser = [...messages].reverse().find((m) => m.role === 'user');
      if (lastUser) await controller.send(lastUser.text);
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
    live,
    ...views,
  };
  return controller;

  function runCommand(command: AppCommand) {
    switch (command.type) {
      case 'new-chat':
        views.newChat();
        break;
      case 'show-trace':
        void views.openTraceInApp(command.traceId);
        break;
      case 'show-alerts':
        store.getState().ui.setView('observability');
        void views.refreshAlerts();
        break;
    }
  }
}

function randomId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID needs a secure context; loopback is one, but a LAN address would not be.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
