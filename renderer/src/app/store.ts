import { createStore } from 'zustand/vanilla';
import { openConnection, type ConnectionState } from '../bridge/connection';
import { createChatSlice } from '../features/chat/slice';
import { defaultScheduleFrame, type ScheduleFrame } from '../features/chat/frame-buffer';
import { createConversationsSlice } from '../features/conversations/slice';
import { createKbSlice } from '../features/knowledge/slice';
import { createKbEvalSlice } from '../features/knowledge/eval-slice';
import { createMemorySlice } from '../features/memory/slice';
import { createModelsSlice } from '../features/models/slice';
import { createAlertsSlice, createHealthSlice, createTraceSlice } from '../features/observability/slice';
import { createSettingsSlice } from '../features/settings/slice';
import { createToolsSlice } from '../features/tools/slice';
import { createConnectionSlice, createUiSlice, type AppState, type AppStore } from '../shared/state';

export type { AppStore } from '../shared/state';

export interface AppStoreOptions {
  scheduleFrame?: ScheduleFrame;
  connection?: ConnectionState;
  /** The page clock (ms) for stall detection; Date.now by default. */
  now?: () => number;
}

/**
 * One store of typed slices, each made by its feature (features/<view>/slice.ts). Vanilla (no
 * React) so unit tests drive it in plain Node.
 */
export function createAppStore(options: AppStoreOptions = {}): AppStore {
  return createStore<AppState>()((set, get) => ({
    chat: createChatSlice(set, get, options.scheduleFrame ?? defaultScheduleFrame, options.now),
    models: createModelsSlice(set),
    health: createHealthSlice(set),
    connection: createConnectionSlice(set, options.connection ?? openConnection),
    conversations: createConversationsSlice(set),
    alerts: createAlertsSlice(set),
    trace: createTraceSlice(set),
    kb: createKbSlice(set),
    kbEval: createKbEvalSlice(set),
    memory: createMemorySlice(set),
    settings: createSettingsSlice(set),
    tools: createToolsSlice(set),
    ui: createUiSlice(set),
  }));
}
