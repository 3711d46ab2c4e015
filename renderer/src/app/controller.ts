/**
 * The UI's use of the contract, composed from the actions of each feature (features/<view>/
 * actions.ts), plus what no single feature owns: how bridge events and connection changes land.
 * Kept apart from components so it is the same for every view and testable with a fake bridge.
 */
import type { AppCommand, AppCommandApi } from '../../../core/common/app-commands';
import type { Bridge, Unsubscribe } from '../../../core/common';
import type { PickPaths } from '../bridge';
import type { ConnectionSource, ConnectionState } from '../bridge/connection';
import { createChatActions } from '../features/chat/actions';
import { createConversationsActions } from '../features/conversations/actions';
import { createKnowledgeActions } from '../features/knowledge/actions';
import { createMemoryActions } from '../features/memory/actions';
import { createModelsActions } from '../features/models/actions';
import { createObservabilityActions } from '../features/observability/actions';
import { createSettingsActions } from '../features/settings/actions';
import { createToolsActions } from '../features/tools/actions';
import { createLiveMetrics, type LiveMetrics } from '../shared/live/live-metrics';
import type { AppActions, AppStore } from '../shared/state';

export type Controller = AppActions;

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
  const chat = () => store.getState().chat;
  const live = deps.live ?? createLiveMetrics();
  const chatActions = createChatActions({
    store,
    bridge,
    ...(deps.newTurnId ? { newTurnId: deps.newTurnId } : {}),
    ...(deps.stopGraceMs !== undefined ? { stopGraceMs: deps.stopGraceMs } : {}),
  });
  const conversations = createConversationsActions({ store, bridge });
  const models = createModelsActions({ store, bridge });
  const observability = createObservabilityActions({ store, bridge });
  const knowledge = createKnowledgeActions({ store, bridge, ...(deps.pickPaths ? { pickPaths: deps.pickPaths } : {}) });
  const memory = createMemoryActions({ store, bridge });
  const settings = createSettingsActions({ store, bridge });
  const tools = createToolsActions({ store, bridge });

  const onConnection = (next: ConnectionState, previous: ConnectionState['status']) => {
    store.getState().connection.update(next);
    if (next.status !== 'open' || previous === 'open') return;
    void observability.refreshHealth();
    void models.refreshModels();
    void conversations.refreshConversations();
    void observability.refreshAlerts();
    void settings.loadSettings();
    // Events sent while the stream was down are gone: a running turn cannot finish here.
    const turnId = chat().activeTurnId;
    if (turnId && previous === 'lost') {
      bridge.invoke('chat.stop', { turnId }).catch(() => {});
      chat().endTurnLocally(turnId, { status: 'error', error: { code: 'stream_interrupted', message: DROPPED_DURING_TURN } });
    }
  };

  const runCommand = (command: AppCommand) => {
    switch (command.type) {
      case 'new-chat':
        chatActions.newChat();
        break;
      case 'show-trace':
        void observability.openTraceInApp(command.traceId);
        break;
      case 'show-alerts':
        store.getState().ui.setView('observability');
        void observability.refreshAlerts();
        break;
    }
  };

  const start = (): Unsubscribe => {
    const offs: Unsubscribe[] = [
      bridge.on('chat.event', (batch) => {
        const ours = chat().messages.some((m) => m.turnId === batch.turnId && m.status === 'streaming');
        chat().receiveBatch(batch);
        const done = batch.events.find((e) => e.type === 'done');
        if (done && done.type === 'done') {
          if (ours) live.onTurnDone(done.stats);
          // A finished turn has (un)loaded models: the picker's "loaded" marks follow.
          void models.refreshModels();
          // Sources and the trace id are stored with the turn.
          if (ours) void chatActions.syncConversation(batch.conversationId);
        }
      }),
      bridge.on('health', (state) => store.getState().health.update(state)),
      bridge.on('turn.sample', (sample) => live.onSample(sample)),
      bridge.on('alerts', (state) => {
        store.getState().alerts.update(state);
        // The strip's alert counts and Prometheus/Alertmanager reachability follow the alerts.
        void observability.refreshHealth();
      }),
      bridge.on('conversations', (change) => conversations.conversationsChanged(change)),
      bridge.on('kb.progress', (event) => knowledge.kbProgress(event)),
      bridge.on('chat.judged', (judgment) => chat().receiveJudgment(judgment)),
    ];
    if (deps.commands) offs.push(deps.commands.onCommand(runCommand));
    let previous: ConnectionState['status'] = 'connecting';
    const apply = (state: ConnectionState) => {
      const before = previous;
      previous = state.status;
      onConnection(state, before);
    };
    offs.push(connection.onChange(apply));
    apply(connection.current());
    return () => offs.forEach((off) => off());
  };

  return { start, live, ...chatActions, ...conversations, ...models, ...observability, ...knowledge, ...memory, ...settings, ...tools };
}
