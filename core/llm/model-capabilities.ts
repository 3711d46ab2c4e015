import type { OllamaClient } from './ollama-client';

export interface ModelCapabilities {
  /**
   * Whether the model can call tools (`"tools"` in `/api/show` `capabilities`). Cached per model:
   * capabilities change only when the model is re-pulled. Unknown (Ollama unreachable, an old
   * Ollama without `capabilities`) is false, not cached, so the turn runs as it always did and the
   * next turn asks again.
   */
  supportsTools(model: string, signal?: AbortSignal): Promise<boolean>;
  /** Forget what is known (models were pulled or removed). */
  clear(): void;
}

export function createModelCapabilities(client: Pick<OllamaClient, 'show'>, timeoutMs = 2000): ModelCapabilities {
  const known = new Map<string, boolean>();
  // One /api/show per model even when several turns start at once.
  const inFlight = new Map<string, Promise<boolean>>();
  return {
    async supportsTools(model, signal) {
      const cached = known.get(model);
      if (cached !== undefined) return cached;
      let pending = inFlight.get(model);
      if (!pending) {
        const timeout = AbortSignal.timeout(timeoutMs);
        pending = client
          .show(model, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout })
          .then((show) => {
            const caps: unknown = (show as { capabilities?: unknown }).capabilities;
            if (!Array.isArray(caps)) return false;
            const tools = caps.includes('tools');
            known.set(model, tools);
            return tools;
          })
          .catch(() => false)
          .finally(() => inFlight.delete(model));
        inFlight.set(model, pending);
      }
      return pending;
    },
    clear() {
      known.clear();
    },
  };
}
