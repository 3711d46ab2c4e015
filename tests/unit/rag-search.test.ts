import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../../core/common';
import { buildPromptBlock, estimateTokens, fuseRrf, rrfK } from '../../core/rag';
import { createEmbedder, EmbeddingCache } from '../../core/rag/embedder';
import { snippetOf } from '../../core/rag/search';
import type { InstrumentedEmbed } from '../../core/telemetry/embed-telemetry';

const cand = (id: string, raw: number) => ({ id, path: `/kb/${id}.md`, heading: '', position: 0, text: `text of ${id}`, raw });

describe('reciprocal rank fusion', () => {
  it('adds 1/(60+rank) from each list and keeps both sides scores', () => {
    const hits = fuseRrf([cand('a', 0.1), cand('b', 0.2)], [cand('c', 5), cand('a', 3)], 'q', 10);
    expect(hits.map((h) => h.id)).toEqual(['a', 'c', 'b']);
    const a = hits[0]!;
    expect(a.score).toBeCloseTo(1 / (rrfK + 1) + 1 / (rrfK + 2), 10);
    expect(a.scores).toMatchObject({ vectorRank: 1, ftsRank: 2, fts: 3 });
    expect(a.scores.vector).toBeCloseTo(0.9, 5);
    expect(hits[1]!.scores).toEqual({ fts: 5, ftsRank: 1, rrf: 1 / (rrfK + 1) });
    expect(fuseRrf([cand('a', 0.1)], [], 'q', 1)).toHaveLength(1);
  });
});

describe('prompt block', () => {
  const hit = (n: number, chars: number): SearchHit => ({ id: `${n}`, path: `/kb/${n}.md`, heading: n % 2 ? 'H' : '', position: 0, snippet: '', text: 'x'.repeat(chars), score: 1 / n, scores: {} });

  it('numbers the sources and stays within the token budget', () => {
    const block = buildPromptBlock([hit(1, 400), hit(2, 400), hit(3, 400), hit(4, 40)], 300);
    expect(block.tokens).toBeLessThanOrEqual(300);
    expect(block.promptBlock).toContain('[1] /kb/1.md (H)');
    expect(block.promptBlock).toContain('[2] /kb/2.md');
    expect(block.sources.map((s) => s.n)).toEqual(block.sources.map((_, i) => i + 1));
    // the small 4th hit still fits after the 3rd was skipped
    expect(block.sources.at(-1)!.path).toBe('/kb/4.md');
    expect(block.tokens).toBe(estimateTokens(block.promptBlock));
  });

  it('cuts a first source that alone is over the budget, and is empty with no hits', () => {
    const block = buildPromptBlock([hit(1, 10_000)], 200);
    expect(block.sources).toHaveLength(1);
    expect(block.tokens).toBeLessThanOrEqual(200);
    expect(buildPromptBlock([], 200)).toEqual({ sources: [], promptBlock: '', tokens: 0 });
  });

  it('makes a snippet around the query words', () => {
    const text = `${'filler '.repeat(100)}the NAS address is 10.0.0.5 ${'tail '.repeat(100)}`;
    const s = snippetOf(text, 'nas address', 80);
    expect(s).toContain('NAS address');
    expect(s.startsWith('...')).toBe(true);
  });
});

describe('embedder', () => {
  const fakeEmbed = (calls: string[][]): InstrumentedEmbed => async ({ input }) => {
    calls.push(input);
    return { model: 'm', embeddings: input.map((t) => [t.length, 1, 0]) } as never;
  };

  it('batches, caches by (model, text), counts hits and detects the dimension', async () => {
    const calls: string[][] = [];
    let hits = 0;
    const cache = new EmbeddingCache();
    const e = createEmbedder({ embed: fakeEmbed(calls), model: 'm', batchSize: 2, cache, onCacheHits: (n) => (hits += n) });
    const first = await e.embedTexts(['a', 'bb', 'ccc', 'a']);
    expect(calls).toEqual([['a', 'bb'], ['ccc']]);
    expect(first.vectors.map((v) => v[0])).toEqual([1, 2, 3, 1]);
    expect(first.stats).toEqual({ embedded: 3, cacheHits: 0 });
    const second = await e.embedTexts(['bb', 'dddd']);
    expect(second.stats).toEqual({ embedded: 1, cacheHits: 1 });
    expect(hits).toBe(1);
    expect(await e.dimension()).toBe(3);
    // another model does not share the cache
    const other = createEmbedder({ embed: fakeEmbed(calls), model: 'other', batchSize: 8, cache });
    expect((await other.embedTexts(['a'])).stats.cacheHits).toBe(0);
  });

  it('evicts least recently used vectors beyond its byte budget', () => {
    const cache = new EmbeddingCache(3 * 4 * 2);
    cache.set('m', '1', new Float32Array(3));
    cache.set('m', '2', new Float32Array(3));
    cache.get('m', '1');
    cache.set('m', '3', new Float32Array(3));
    expect(cache.get('m', '2')).toBeUndefined();
    expect(cache.get('m', '1')).toBeDefined();
    expect(cache.size).toBe(2);
  });
});
