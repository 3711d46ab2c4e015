/** The memory view: list with filter and search (latest answer wins), delete. */
import type { Bridge } from '../../../../core/common';
import { latestWins, request } from '../../shared/latest';
import type { AppStore } from '../../shared/state';
import type { MemoryFilter } from './slice';

declare module '../../shared/state' {
  interface AppActions extends MemoryActions {}
}

export interface MemoryActions {
  refreshMemory(): Promise<void>;
  setMemoryFilter(filter: MemoryFilter): Promise<void>;
  searchMemory(query: string): Promise<void>;
  deleteMemory(id: string): Promise<void>;
}

export function createMemoryActions({ store, bridge }: { store: AppStore; bridge: Bridge }): MemoryActions {
  const get = store.getState;
  const listLane = latestWins();
  const failed = (message: string) => get().memory.failed(message);

  const actions: MemoryActions = {
    async refreshMemory() {
      const { query, filter } = get().memory;
      get().memory.loading();
      const input = { ...(filter !== 'all' ? { type: filter } : {}), ...(query.trim() ? { query: query.trim() } : {}) };
      await listLane(() => Promise.all([bridge.invoke('memory.list', input), bridge.invoke('memory.status').catch(() => null)]), {
        done: ([entries, info]) => {
          get().memory.loaded(entries);
          if (info) get().memory.statusLoaded(info);
        },
        failed,
      });
    },

    async setMemoryFilter(filter) {
      get().memory.setFilter(filter);
      await actions.refreshMemory();
    },

    async searchMemory(query) {
      get().memory.setQuery(query);
      await actions.refreshMemory();
    },

    async deleteMemory(id) {
      const deleted = await request(() => bridge.invoke('memory.delete', { id }), { done: () => get().memory.removed(id), failed });
      // A list asked for before the delete (a search still embedding its query) would put the
      // entry back when it lands: re-reading supersedes it.
      if (deleted) await actions.refreshMemory();
    },
  };
  return actions;
}
