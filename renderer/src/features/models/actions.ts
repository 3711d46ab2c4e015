import type { Bridge } from '../../../../core/common';
import { latestWins } from '../../shared/latest';
import type { AppStore } from '../../shared/state';

declare module '../../shared/state' {
  interface AppActions extends ModelsActions {}
}

export interface ModelsActions {
  refreshModels(): Promise<void>;
}

export function createModelsActions({ store, bridge }: { store: AppStore; bridge: Bridge }): ModelsActions {
  const get = store.getState;
  // Every finished turn asks again (its loaded marks change): the newest list is the truth.
  const lane = latestWins();
  return {
    async refreshModels() {
      get().models.loading();
      await lane(() => bridge.invoke('models.list'), {
        done: (list) => get().models.loaded(list),
        failed: (message) => get().models.failed(message),
      });
    },
  };
}
