import { Gauge } from 'prom-client';
import { metricLabels as L, ollamaMetricNames as N } from '../common/metric-names';
import type { MetricsRegistry } from './prom-metrics';

/** One model as `/api/ps` lists it, in plain units. */
export interface LoadedModelInfo {
  name: string;
  sizeBytes: number;
  vramBytes: number;
  /** Allocated context (`context_length`); null for an Ollama too old to report it. */
  contextLength: number | null;
  /** Epoch ms when Ollama unloads it; null when unknown or unparsable. */
  expiresAtMs: number | null;
}

/** What one health probe saw. `up` false: the other fields are ignored. */
export interface OllamaSnapshot {
  up: boolean;
  version: string | null;
  models: LoadedModelInfo[];
}

export interface OllamaMetrics {
  record(snapshot: OllamaSnapshot): void;
  /** The last probe's answer (1/0), null before the first probe. */
  up(): number | null;
}

/** Finite non-negative numbers only: a hostile or broken /api/ps cannot put NaN or -1 in a gauge. */
const finite = (n: unknown): number | null => (typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null);

/** Reads ollama-js's `/api/ps` entries (its `expires_at` is typed Date but arrives as a string). */
export function loadedModelsFromPs(models: readonly unknown[]): LoadedModelInfo[] {
  const out: LoadedModelInfo[] = [];
  for (const raw of models) {
    if (!raw || typeof raw !== 'object') continue;
    // Own fields only: JSON.parse makes none inherited, but a hostile object could.
    const m: Record<string, unknown> = Object.fromEntries(Object.entries(raw));
    const name = typeof m.name === 'string' && m.name ? m.name : typeof m.model === 'string' ? m.model : '';
    // A label value is bounded by what Ollama can load; still, a model name is never a novel.
    if (!name || name.length > 200) continue;
    const expires = m.expires_at instanceof Date ? m.expires_at.getTime() : typeof m.expires_at === 'string' ? Date.parse(m.expires_at) : NaN;
    out.push({
      name,
      sizeBytes: finite(m.size) ?? 0,
      vramBytes: finite(m.size_vram) ?? 0,
      contextLength: finite(m.context_length),
      expiresAtMs: Number.isFinite(expires) ? expires : null,
    });
  }
  return out;
}

/**
 * `agent_ollama_*` gauges of the operator's Ollama, fed by the health probe. Models that left
 * memory keep `loaded 0` (bounded by the models this run saw) so a panel shows them unloading;
 * their size, VRAM, context and expiry series go away. The expiry is computed at scrape time.
 */
export function createOllamaMetrics(registry: MetricsRegistry, now: () => number = Date.now): OllamaMetrics {
  const registers = [registry];
  const labelNames = [L.model];
  let expiries = new Map<string, number>();
  // Registered at the first probe: a label-less prom-client gauge reads 0 until set, and a 0 before
  // anyone asked Ollama would make OllamaDown pending at every start.
  let up: Gauge | null = null;
  let lastUp: number | null = null;
  const info = new Gauge({ name: N.info, help: 'Version of the Ollama server (value is always 1)', labelNames: ['version'], registers });
  const loaded = new Gauge({ name: N.modelLoaded, help: 'Whether the model is in memory now (GET /api/ps)', labelNames, registers });
  const vram = new Gauge({ name: N.modelVramBytes, help: 'Bytes of the loaded model in GPU memory (size_vram); below size means part runs on the CPU', labelNames, registers });
  const size = new Gauge({ name: N.modelSizeBytes, help: 'Bytes of the loaded model in memory (size)', labelNames, registers });
  const context = new Gauge({ name: N.modelContextLength, help: 'Allocated context window of the loaded model, in tokens (context_length)', labelNames, registers });
  new Gauge({
    name: N.modelExpiresIn,
    help: 'Seconds until Ollama unloads the model (expires_at minus now; keep_alive)',
    labelNames,
    registers,
    collect() {
      this.reset();
      const t = now();
      for (const [model, at] of expiries) this.set({ [L.model]: model }, Math.max(0, (at - t) / 1000));
    },
  });
  const seen = new Set<string>();
  return {
    up: () => lastUp,
    record(snapshot) {
      up ??= new Gauge({ name: N.up, help: 'Whether the last health probe reached Ollama (1) or not (0)', registers });
      lastUp = snapshot.up ? 1 : 0;
      up.set(lastUp);
      if (!snapshot.up) return; // Unknown is not "unloaded": keep the last models until Ollama answers again.
      if (snapshot.version) {
        info.reset();
        info.set({ version: snapshot.version.slice(0, 64) }, 1);
      }
      for (const g of [vram, size, context]) g.reset();
      const current = new Set(snapshot.models.map((m) => m.name));
      for (const name of seen) if (!current.has(name)) loaded.set({ [L.model]: name }, 0);
      const nextExpiries = new Map<string, number>();
      for (const m of snapshot.models) {
        seen.add(m.name);
        const labels = { [L.model]: m.name };
        loaded.set(labels, 1);
        size.set(labels, m.sizeBytes);
        vram.set(labels, m.vramBytes);
        if (m.contextLength !== null) context.set(labels, m.contextLength);
        if (m.expiresAtMs !== null) nextExpiries.set(m.name, m.expiresAtMs);
      }
      expiries = nextExpiries;
    },
  };
}
