/**
 * The Tools section: list the tools, and change one tool's policy through `settings.update` of
 * `tools.policy` (live in the core: the next turn offers what is on). Only the person in this view
 * changes a policy; nothing a tool or the model returns reaches these actions.
 */
import type { Bridge, ToolPolicy } from '../../../../core/common';
import { toolPolicies } from '../../../../core/common/tools';
import { latestWins, request } from '../../shared/latest';
import type { AppStore } from '../../shared/state';

declare module '../../shared/state' {
  interface AppActions extends ToolsActions {}
}

export interface ToolsActions {
  loadTools(): Promise<void>;
  /** Saves one tool's policy; resolves true when the core took it. */
  setToolPolicy(tool: string, policy: ToolPolicy): Promise<boolean>;
}

/**
 * The patch for one tool: `tools.policy` is a map merged key by key, so the other tools' choices
 * stay. A null-prototype map, so a tool named like an Object.prototype key is just a key.
 */
export function policyPatch(tool: string, policy: ToolPolicy): { tools: { policy: Record<string, ToolPolicy> } } {
  const map = Object.create(null) as Record<string, ToolPolicy>;
  map[tool] = policy;
  return { tools: { policy: map } };
}

export function createToolsActions({ store, bridge }: { store: AppStore; bridge: Bridge }): ToolsActions {
  const get = store.getState;
  const listLane = latestWins();
  const actions: ToolsActions = {
    async loadTools() {
      if (get().tools.status !== 'ready') get().tools.loading();
      await listLane(() => bridge.invoke('tools.list'), {
        done: (list) => get().tools.loaded(Array.isArray(list) ? list : []),
        failed: (message) => get().tools.failed(message),
      });
    },

    async setToolPolicy(tool, policy) {
      if (!(toolPolicies as readonly string[]).includes(policy)) return false;
      get().tools.saveStarted(tool);
      let ok = false;
      await request(() => bridge.invoke('settings.update', { patch: policyPatch(tool, policy) }), {
        done: async (result) => {
          if (!result.ok) {
            const message = Object.entries(result.fieldErrors)
              .map(([path, why]) => `${path}: ${why}`)
              .join('; ');
            get().tools.saveFailed(tool, message || 'not saved');
            return;
          }
          ok = true;
          get().tools.saveDone();
          // The list says what is in effect now (policy, availability) in the core's words.
          await actions.loadTools();
        },
        failed: (message) => get().tools.saveFailed(tool, message),
      });
      return ok;
    },
  };
  return actions;
}
