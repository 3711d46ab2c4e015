import type { MethodHandlers } from '../common/method';
import type { toolsMethods } from '../common/methods';
import type { ToolRegistry } from './tool-registry';

export function toolsHandlers(deps: { registry: ToolRegistry }): MethodHandlers<typeof toolsMethods> {
  return {
    async 'tools.list'() {
      return deps.registry.list();
    },
  };
}
