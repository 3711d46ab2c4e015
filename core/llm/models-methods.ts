import type { MethodHandlers } from '../common/method';
import type { modelsMethods } from '../common/methods';
import { listModels } from './list-models';
import type { OllamaClient } from './ollama-client';

/** models.list: what is pulled, joined with what is loaded. A slow Ollama gets 5 s. */
export function modelsHandlers(deps: { client: OllamaClient; defaultModel: () => string }): MethodHandlers<typeof modelsMethods> {
  return {
    async 'models.list'(_input, context) {
      const timeout = AbortSignal.timeout(5000);
      return listModels(deps.client, deps.defaultModel(), context?.signal ? AbortSignal.any([timeout, context.signal]) : timeout);
    },
  };
}
