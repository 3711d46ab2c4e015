import type { OllamaClient } from './ollama-client';

export type ContextWindowSource = 'ps' | 'num_ctx' | 'show';

export interface ContextWindow {
  tokens: number;
  source: ContextWindowSource;
}

export interface ContextWindowResolver {
  /**
   * The context the model really has: the allocated `context_length` of the loaded model
   * (`/api/ps`), else the request's `num_ctx`, else the model's maximum (`/api/show`).
   * Cached per model; `reloaded` forces a fresh look (a reload can change the allocation).
   */
  resolve(model: string, hints: { requestNumCtx?: number | undefined; reloaded: boolean }): Promise<ContextWindow | null>;
}

/** Ollama reports a few milliseconds of load_duration even for a loaded model; a real load is longer. */
export const reloadThresholdNs = 100_000_000;

export function createContextWindowResolver(client: OllamaClient, timeoutMs = 2000): ContextWindowResolver {
  const cache = new Map<string, ContextWindow>();
  const maxima = new Map<string, number | null>();

  const fromShow = async (model: string): Promise<number | null> => {
    if (maxima.has(model)) return maxima.get(model) ?? null;
    const show = await client.show(model, { signal: AbortSignal.timeout(timeoutMs) });
    const info = (show.model_info ?? {}) as unknown as Record<string, unknown>;
    const arch = info['general.architecture'];
    const value = typeof arch === 'string' ? info[`${arch}.context_length`] : undefined;
    const tokens = typeof value === 'number' && value > 0 ? value : null;
    maxima.set(model, tokens);
    return tokens;
  };

  return {
    async resolve(model, hints) {
      const cached = cache.get(model);
      if (cached && !hints.reloaded) return cached;
      try {
        const ps = await client.ps({ signal: AbortSignal.timeout(timeoutMs) });
        const loaded = ps.models.find((m) => m.name === model || m.model === model);
        if (loaded?.context_length) {
          const window: ContextWindow = { tokens: loaded.context_length, source: 'ps' };
          cache.set(model, window);
          return window;
        }
        cache.delete(model);
        if (hints.requestNumCtx) return { tokens: hints.requestNumCtx, source: 'num_ctx' };
        const max = await fromShow(model);
        return max ? { tokens: max, source: 'show' } : null;
      } catch {
        // Unknown is better than wrong: the ratio is then left out rather than guessed.
        return hints.requestNumCtx ? { tokens: hints.requestNumCtx, source: 'num_ctx' } : (cached ?? null);
      }
    },
  };
}
