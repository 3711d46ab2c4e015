import type { StoreApi } from 'zustand/vanilla';
import type { ConnectionState } from '../bridge/connection';
import type { AppState, ConnectionSlice, HealthSlice, ModelsSlice } from './types';

type Set = StoreApi<AppState>['setState'];

export function createModelsSlice(set: Set): ModelsSlice {
  const patch = (p: Partial<ModelsSlice>) => set((s) => ({ models: { ...s.models, ...p } }));
  return {
    list: [],
    selected: null,
    status: 'idle',
    error: null,
    loading: () => patch({ status: 'loading', error: null }),
    loaded: (list) => patch({ list, status: 'ready', error: null }),
    failed: (message) => patch({ status: 'error', error: message }),
    select: (selected) => patch({ selected }),
  };
}

export function createHealthSlice(set: Set): HealthSlice {
  return {
    state: null,
    update: (state) => set((s) => ({ health: { ...s.health, state } })),
  };
}

export function createConnectionSlice(set: Set, initial: ConnectionState): ConnectionSlice {
  return {
    ...initial,
    update: ({ status, detail, retryInMs }) =>
      set((s) => ({ connection: { ...s.connection, status, detail, retryInMs } })),
  };
}
