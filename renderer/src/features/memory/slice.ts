/** The memory view: stored entries, the filter and search that chose them, the store's status. */
import type { MemoryEntry, MemoryStatus } from '../../../../core/common';
import { slicePatcher, type LoadStatus, type SetState } from '../../shared/state';

declare module '../../shared/state' {
  interface AppState {
    memory: MemorySlice;
  }
}

export type MemoryFilter = 'all' | 'semantic' | 'procedural';

export interface MemorySlice {
  entries: MemoryEntry[];
  query: string;
  filter: MemoryFilter;
  status: LoadStatus;
  error: string | null;
  info: MemoryStatus | null;
  setQuery(query: string): void;
  setFilter(filter: MemoryFilter): void;
  loading(): void;
  loaded(entries: MemoryEntry[]): void;
  failed(message: string): void;
  removed(id: string): void;
  statusLoaded(info: MemoryStatus): void;
}

export function createMemorySlice(set: SetState): MemorySlice {
  const patch = slicePatcher(set, 'memory');
  return {
    entries: [],
    query: '',
    filter: 'all',
    status: 'idle',
    error: null,
    info: null,
    setQuery: (query) => patch({ query }),
    setFilter: (filter) => patch({ filter }),
    loading: () => patch({ status: 'loading' }),
    loaded: (entries) => patch({ entries, status: 'ready', error: null }),
    failed: (message) => patch({ status: 'error', error: message }),
    removed: (id) => patch((m) => ({ entries: m.entries.filter((e) => e.id !== id) })),
    statusLoaded: (info) => patch({ info }),
  };
}
