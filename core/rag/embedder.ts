/**
 * Embeddings for the knowledge base: `/api/embed` in batches through the core's instrumented
 * embed (spans + metrics), a cache keyed by (model, sha256 of the text) bounded in bytes, and the
 * dimension detected from the first answer.
 */
import { createHash } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import { BrunoError } from '../common/errors';
import type { Embed } from '../llm';

export const textHash = (text: string) => createHash('sha256').update(text).digest('hex');

/** An LRU of vectors, bounded by their total size. */
export class EmbeddingCache {
  private readonly entries = new Map<string, Float32Array>();
  private bytes = 0;
  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  private key(model: string, hash: string) {
    return `${model}\u0000${hash}`;
  }
  get(model: string, hash: string): Float32Array | undefined {
    const key = this.key(model, hash);
    const v = this.entries.get(key);
    if (v) {
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }
  set(model: string, hash: string, vector: Float32Array): void {
    const key = this.key(model, hash);
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.byteLength;
      this.entries.delete(key);
    }
    this.entries.set(key, vector);
    this.bytes += vector.byteLength;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.byteLength;
    }
  }
  get size(): number {
    return this.entries.size;
  }
}

export interface EmbedderDeps {
  embed: Embed;
  model: string;
  batchSize: number;
  /**
   * Requests of one embedTexts call in flight at once (default 2): the next batch is on the wire
   * while Ollama computes one, so it is never idle between requests. Ollama queues what it does
   * not run in parallel, so more buys nothing.
   */
  concurrency?: number;
  cache: EmbeddingCache;
  /** Told how many texts came from the cache (llm_cache_hits_total{cache_type="embedding"}). */
  onCacheHits?: (count: number) => void;
  /** Texts that had to be embedded (not in the cache). */
  onCacheMisses?: (count: number) => void;
}

/**
 * Wall times of an embedder's recent requests (knowledge-base.ts `jobBatchSize`, `latencyBound`):
 * full batches, and requests cut shorter than a full batch with their texts; null before one ran.
 */
export interface EmbedRequestTimes {
  /**
   * A full batch's time lately. It follows a slower server at once in part (moving average) and a
   * faster one at once in full: a request runs slower by chance (a model load, a busy process),
   * never faster, so a batch at half the estimate or less shows the estimate was inflated.
   */
  fullBatchMs: number | null;
  /** How long ago the last full batch ended (null before one ran). */
  sinceFullMs: number | null;
  cutMs: number | null;
  cutTexts: number | null;
  cutSamples: number;
}

export interface EmbedStats {
  embedded: number;
  cacheHits: number;
}

export interface Embedder {
  readonly model: string;
  /** Vectors for texts (same order), from the cache where possible; hashes may be passed in. */
  embedTexts(
    texts: readonly string[],
    options?: {
      hashes?: readonly string[];
      parent?: Context;
      signal?: AbortSignal;
      /**
       * Awaited before each request, resolving to what to call once that request ended (or was
       * not sent after all): ingestion lets a search's query embedding go first and bounds its
       * requests in flight across its batches (ingest.ts).
       */
      beforeRequest?: () => Promise<() => void>;
      /** Texts in the next request, asked before each (at most the embedder's batch size). */
      batchSize?: (times: EmbedRequestTimes) => number;
    },
  ): Promise<{ vectors: Float32Array[]; stats: EmbedStats }>;
  /** Wall times of recent requests. */
  requestTimes(): EmbedRequestTimes;
  /** The model's dimension, asking Ollama once when nothing was embedded yet. */
  dimension(options?: { parent?: Context; signal?: AbortSignal }): Promise<number>;
}

export function createEmbedder(deps: EmbedderDeps): Embedder {
  const { model, cache } = deps;
  let dim: number | null = null;
  let fullBatchMs: number | null = null;
  let fullEndedAt: number | null = null;
  let cutMs: number | null = null;
  let cutTexts: number | null = null;
  let cutSamples = 0;
  const ewma = (old: number | null, x: number) => (old === null ? x : 0.7 * old + 0.3 * x);
  const requestTimes = (): EmbedRequestTimes => ({ fullBatchMs, sinceFullMs: fullEndedAt === null ? null : performance.now() - fullEndedAt, cutMs, cutTexts, cutSamples });

  const call = async (input: string[], parent?: Context, signal?: AbortSignal): Promise<Float32Array[]> => {
    const response = await deps.embed({ model, input, ...(parent ? { parent } : {}), ...(signal ? { signal } : {}) });
    if (response.embeddings.length !== input.length) {
      throw new BrunoError('ollama_bad_response', `Ollama returned ${response.embeddings.length} embeddings for ${input.length} inputs (model ${model})`);
    }
    return response.embeddings.map((e) => {
      // A base64 answer's vectors are Float32Arrays already (core/llm/http-embed.ts).
      const v = e instanceof Float32Array ? e : Float32Array.from(e);
      dim ??= v.length;
      if (v.length !== dim || v.length === 0) throw new BrunoError('ollama_bad_response', `Embedding model ${model} returned ${v.length} dimensions, expected ${dim}`);
      return v;
    });
  };

  return {
    model,
    async embedTexts(texts, options = {}) {
      const hashes = options.hashes ?? texts.map(textHash);
      const vectors = new Array<Float32Array | undefined>(texts.length);
      const missing: number[] = [];
      texts.forEach((_, i) => {
        const hit = cache.get(model, hashes[i]!);
        if (hit) vectors[i] = hit;
        else missing.push(i);
      });
      // Equal texts in one call are embedded once.
      const firstOf = new Map<string, number>();
      const toEmbed = missing.filter((i) => {
        if (firstOf.has(hashes[i]!)) return false;
        firstOf.set(hashes[i]!, i);
        return true;
      });
      const hits = texts.length - missing.length;
      if (hits > 0) deps.onCacheHits?.(hits);
      // Every text not found in the cache is a miss (duplicates in one call included): hits and
      // misses add up to the texts asked for, so hits / (hits + misses) is the hit ratio.
      if (missing.length > 0) deps.onCacheMisses?.(missing.length);
      let next = 0;
      const worker = async () => {
        while (next < toEmbed.length) {
          const ended = await options.beforeRequest?.();
          try {
            if (next >= toEmbed.length) break;
            const size = Math.max(1, Math.min(deps.batchSize, options.batchSize?.(requestTimes()) ?? deps.batchSize));
            const batch = toEmbed.slice(next, next + size);
            next += size;
            const started = performance.now();
            const result = await call(batch.map((i) => texts[i]!), options.parent, options.signal);
            // The wall time of a full request (another may run beside it: what a query queued behind it waits too).
            const ms = performance.now() - started;
            if (batch.length === deps.batchSize) {
              fullBatchMs = fullBatchMs !== null && ms <= fullBatchMs / 2 ? ms : ewma(fullBatchMs, ms);
              fullEndedAt = performance.now();
            }
            // A request cut on purpose (not the short last one of a call, small by chance).
            else if (batch.length === size) {
              cutMs = ewma(cutMs, ms);
              cutTexts = ewma(cutTexts, batch.length);
              cutSamples++;
            }
            batch.forEach((i, j) => {
              vectors[i] = result[j]!;
              cache.set(model, hashes[i]!, result[j]!);
            });
          } finally {
            ended?.();
          }
        }
      };
      // The first failure ends the call (the other worker stops after its request).
      await Promise.all(Array.from({ length: Math.min(Math.ceil(toEmbed.length / deps.batchSize), Math.max(1, deps.concurrency ?? 2)) }, worker));
      for (const i of missing) vectors[i] ??= vectors[firstOf.get(hashes[i]!)!];
      return { vectors: vectors as Float32Array[], stats: { embedded: toEmbed.length, cacheHits: hits } };
    },
    requestTimes,
    async dimension(options = {}) {
      if (dim === null) await call(['dimension probe'], options.parent, options.signal);
      return dim!;
    },
  };
}
