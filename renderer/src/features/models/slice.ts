/** The models the core offers (the picker, the context bar) and the one picked for the next turn. */
import type { ModelInfo } from '../../../../core/common';
import { slicePatcher, type LoadStatus, type SetState } from '../../shared/state';

declare module '../../shared/state' {
  interface AppState {
    models: ModelsSlice;
  }
}

export type ModelsStatus = LoadStatus;

export interface ModelsSlice {
  list: ModelInfo[];
  /** null: the core's configured default model. */
  selected: string | null;
  status: ModelsStatus;
  error: string | null;

  loading(): void;
  loaded(list: ModelInfo[]): void;
  failed(message: string): void;
  select(name: string | null): void;
}

export function createModelsSlice(set: SetState): ModelsSlice {
  const patch = slicePatcher(set, 'models');
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
