import type { ModelInfo } from '../common/health';
import type { OllamaClient } from './ollama-client';

/** `/api/tags` (what is pulled) joined with `/api/ps` (what is loaded, with its real context). */
export async function listModels(client: OllamaClient, defaultModel: string, signal?: AbortSignal): Promise<ModelInfo[]> {
  const options = signal ? { signal } : undefined;
  const [tags, ps] = await Promise.all([client.list(options), client.ps(options)]);
  const loaded = new Map(ps.models.map((m) => [m.name, m]));
  return tags.models.map((m) => {
    const running = loaded.get(m.name);
    return {
      name: m.name,
      family: m.details?.family || null,
      parameterSize: m.details?.parameter_size || null,
      quantization: m.details?.quantization_level || null,
      sizeBytes: m.size,
      loaded: !!running,
      contextLength: running?.context_length ?? null,
      sizeVramBytes: running?.size_vram ?? null,
      isDefault: m.name === defaultModel,
    };
  });
}
