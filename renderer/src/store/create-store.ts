import { createStore, type StoreApi } from 'zustand/vanilla';
import { openConnection, type ConnectionState } from '../bridge/connection';
import { createChatSlice } from './chat-slice';
import { defaultScheduleFrame, type ScheduleFrame } from './frame-buffer';
import { createConnectionSlice, createHealthSlice, createModelsSlice } from './other-slices';
import type { AppState } from './types';
import {
  createAlertsSlice,
  createConversationsSlice,
  createKbSlice,
  createMemorySlice,
  createSettingsSlice,
  createTraceSlice,
  createUiSlice,
} from './view-slices';

export type AppStore = StoreApi<AppState>;

export interface AppStoreOptions {
  scheduleFrame?: ScheduleFrame;
  connection?: ConnectionState;
  /** The page clock (ms) for stall detection; Date.now by default. */
  now?: () => number;
}

/** One store of typed slices. Vanilla (no React) so unit tests drive it in plain Node. */
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
    memory: createMemorySlice(set),
    settings: createSettingsSlice(set),
    ui: createUiSlice(set),
  }));
}
