import type { OllamaHealth } from '../common/health';
import { classifyOllamaError, type OllamaClient } from '../llm';
import { loadedModelsFromPs, type OllamaSnapshot } from '../telemetry/ollama-metrics';

/**
 * Asks Ollama for its version and loaded models; a dead or slow Ollama answers within `timeoutMs`.
 * `observe` gets what the probe saw (the `agent_ollama_*` exporter); it is told even when Ollama
 * is down, and a throwing observer changes nothing of the health answer.
 */
export async function probeOllama(client: OllamaClient, timeoutMs = 3000, observe?: (snapshot: OllamaSnapshot) => void): Promise<OllamaHealth> {
  const signal = AbortSignal.timeout(timeoutMs);
  const tell = (snapshot: OllamaSnapshot) => {
    try {
      observe?.(snapshot);
    } catch {
      // Telemetry never changes the health answer.
    }
  };
  try {
    const [version, ps] = await Promise.all([client.version({ signal }), client.ps({ signal })]);
    const models = Array.isArray(ps?.models) ? ps.models : [];
    tell({ up: true, version: typeof version === 'string' ? version : null, models: loadedModelsFromPs(models) });
    return { url: client.host, reachable: true, version, loadedModels: models.map((m) => m.name), error: null };
  } catch (err) {
    tell({ up: false, version: null, models: [] });
    const error = signal.aborted
      ? `Ollama at ${client.host} did not answer within ${timeoutMs / 1000} s`
      : classifyOllamaError(err, { host: client.host, model: '', chunksReceived: 0 }).message;
    return { url: client.host, reachable: false, version: null, loadedModels: [], error };
  }
}
