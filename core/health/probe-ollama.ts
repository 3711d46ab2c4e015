import type { OllamaHealth } from '../common/health';
import { classifyOllamaError, type OllamaClient } from '../llm';

/** Asks Ollama for its version and loaded models; a dead or slow Ollama answers within `timeoutMs`. */
export async function probeOllama(client: OllamaClient, timeoutMs = 3000): Promise<OllamaHealth> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const [version, ps] = await Promise.all([client.version({ signal }), client.ps({ signal })]);
    return { url: client.host, reachable: true, version, loadedModels: ps.models.map((m) => m.name), error: null };
  } catch (err) {
    const error = signal.aborted
      ? `Ollama at ${client.host} did not answer within ${timeoutMs / 1000} s`
      : classifyOllamaError(err, { host: client.host, model: '', chunksReceived: 0 }).message;
    return { url: client.host, reachable: false, version: null, loadedModels: [], error };
  }
}
