/**
 * Which models are "in memory" (what /api/ps shows) and the simulated load.
 *
 * A model is loaded by its first request and stays until `keep_alive` runs
 * out. A request asking for a different context than the loaded one reloads
 * the model (as Ollama does), paying `loadMs` again. Concurrent requests for a
 * model that is loading share one load.
 */
import type { FakeModel } from './behaviour';
import { displayName, normalizeModelName } from './behaviour';
import { modelDetails, modelDigest } from './catalog';
import { rfc3339Nano, sleep, wallNs } from './clock';

interface LoadedEntry {
  model: FakeModel;
  contextLength: number;
  /** Epoch ns; Infinity-like far future for keep_alive < 0. */
  expiresAtNs: bigint;
  /** Resolves when the load finished (false if the server closed meanwhile). */
  ready: Promise<boolean>;
  /** Requests currently using the model (expiry does not count while > 0). */
  active: number;
}

/** Go's time.Now().Add(math.MaxInt64): about 292 years ahead. */
const FOREVER_NS = 9_223_372_036_854_775_807n;

export class LoadedModels {
  private readonly entries = new Map<string, LoadedEntry>();

  constructor(private readonly serverSignal: AbortSignal) {}

  /** Marks a model loaded right away (for `preload`). */
  preload(model: FakeModel, contextLength: number, keepAliveMs: number): void {
    this.entries.set(normalizeModelName(model.name), {
      model,
      contextLength,
      expiresAtNs: expiry(keepAliveMs),
      ready: Promise.resolve(true),
      active: 0,
    });
  }

  /**
   * Makes sure `model` is loaded with `contextLength`, waiting `loadMs` when it
   * was not (or was loaded with another context). Returns false when `signal`
   * (the request) or the server aborted first. Call `release()` afterwards.
   */
  async acquire(model: FakeModel, contextLength: number, loadMs: number, keepAliveMs: number, signal: AbortSignal): Promise<boolean> {
    const key = normalizeModelName(model.name);
    let entry = this.entries.get(key);
    if (entry && (entry.contextLength !== contextLength || this.isExpired(entry))) {
      this.entries.delete(key);
      entry = undefined;
    }
    if (!entry) {
      entry = {
        model,
        contextLength,
        expiresAtNs: expiry(keepAliveMs),
        ready: sleep(loadMs, this.serverSignal),
        active: 0,
      };
      this.entries.set(key, entry);
    }
    entry.active += 1;
    const ok = await Promise.race([entry.ready, sleepUntilAbort(signal)]);
    if (!ok) {
      this.release(model, keepAliveMs);
      return false;
    }
    entry.expiresAtNs = expiry(keepAliveMs);
    return true;
  }

  /** Ends a request's use of a model; keep_alive 0 unloads it now. */
  release(model: FakeModel, keepAliveMs: number): void {
    const entry = this.entries.get(normalizeModelName(model.name));
    if (!entry) return;
    entry.active = Math.max(0, entry.active - 1);
    entry.expiresAtNs = expiry(keepAliveMs);
    if (keepAliveMs === 0 && entry.active === 0) this.entries.delete(normalizeModelName(model.name));
  }

  isLoaded(model: FakeModel): boolean {
    const entry = this.entries.get(normalizeModelName(model.name));
    return entry !== undefined && !this.isExpired(entry);
  }

  unload(model: FakeModel): void {
    this.entries.delete(normalizeModelName(model.name));
  }

  clear(): void {
    this.entries.clear();
  }

  /** The /api/ps body: loaded models, latest expiry first. */
  psBody() {
    for (const [key, entry] of this.entries) if (this.isExpired(entry)) this.entries.delete(key);
    const list = [...this.entries.values()].sort((a, b) => (b.expiresAtNs > a.expiresAtNs ? 1 : b.expiresAtNs < a.expiresAtNs ? -1 : 0));
    return {
      models: list.map((e) => {
        const size = e.model.size + e.contextLength * (e.model.kvBytesPerToken ?? 131_072);
        const name = displayName(e.model);
        return {
          name,
          model: name,
          size,
          digest: modelDigest(e.model),
          details: modelDetails(e.model),
          expires_at: rfc3339Nano(e.expiresAtNs),
          size_vram: size,
          context_length: e.contextLength,
        };
      }),
    };
  }

  private isExpired(entry: LoadedEntry): boolean {
    return entry.active === 0 && entry.expiresAtNs <= wallNs();
  }
}

function expiry(keepAliveMs: number): bigint {
  if (keepAliveMs < 0) return wallNs() + FOREVER_NS;
  return wallNs() + BigInt(Math.round(keepAliveMs)) * 1_000_000n;
}

/** Resolves false when the signal aborts (never resolves otherwise). */
function sleepUntilAbort(signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => signal.addEventListener('abort', () => resolve(false), { once: true }));
}
