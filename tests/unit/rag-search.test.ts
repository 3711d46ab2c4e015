import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../../core/common';
import { buildPromptBlock, byFile, candidatePool, estimateTokens, fuseHybrid, zScores } from '../../core/rag';
import { createEmbedder, EmbeddingCache } from '../../core/rag/embedder';
import { ftsHits, fuseRrf, rrfK, snippetOf, vectorHits, type Candidate } from '../../core/rag/search';
import type { Embed } from '../../core/llm';

/** A chunk `id` of file `file` (default: its own file); raw = cosine distance (vector) or BM25 (fts). */
const cand = (id: string, raw: number, file = id): Candidate => ({ id, path: `/kb/${file}.md`, heading: '', position: 0, text: `text of ${id}`, raw });
const ids = (hits: SearchHit[]) => hits.map((h) => h.id);

describe('z-scores', () => {
  it('centres and scales, and are all 0 when nothing varies', () => {
    const z = zScores([1, 2, 3]);
    expect(z[1]).toBeCloseTo(0, 12);
    expect(z[2]).toBeCloseTo(Math.sqrt(3 / 2), 12);
    expect(z[0]).toBeCloseTo(-z[2]!, 12);
    expect(zScores([4, 4])).toEqual([0, 0]);
    expect(zScores([])).toEqual([]);
  });
});

describe('files first', () => {
  it('lists every file once, in the order of its first item, before any file twice', () => {
    const ranked = [cand('a1', 0, 'a'), cand('a2', 0, 'a'), cand('b1', 0, 'b'), cand('a3', 0, 'a'), cand('c1', 0, 'c'), cand('b2', 0, 'b')];
    expect(byFile(ranked).map((c) => c.id)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
    expect(byFile([])).toEqual([]);
  });

  it('applies to the single modes, which keep each chunk its own rank and score', () => {
    const list = [cand('a1', 0.1, 'a'), cand('a2', 0.2, 'a'), cand('b1', 0.3, 'b')];
    const v = vectorHits(list, 'q', 2);
    expect(ids(v)).toEqual(['a1', 'b1']);
    expect(v[1]!.scores).toEqual({ vector: expect.closeTo(0.7, 6), vectorRank: 3 });
    const f = ftsHits([cand('a1', 9, 'a'), cand('a2', 8, 'a'), cand('b1', 7, 'b')], 'q', 3);
    expect(ids(f)).toEqual(['a1', 'b1', 'a2']);
    expect(f[1]).toMatchObject({ score: 7, scores: { fts: 7, ftsRank: 3 } });
  });

  it('reads more candidates than k, 2k when k is large', () => {
    expect(candidatePool(8)).toBe(50);
    expect(candidatePool(40)).toBe(80);
  });
});

describe('hybrid fusion', () => {
  it('combines the evidence of two different chunks of one file', () => {
    // x.md: its intro is the best by meaning, its option section the best by words; y.md is second
    // on both sides with one chunk. Chunk-level fusion would split x's evidence.
    const vector = [cand('x-intro', 0.1, 'x'), cand('y', 0.15), cand('x-option', 0.5, 'x'), cand('z', 0.6)];
    const fts = [cand('x-option', 9, 'x'), cand('y', 8.5), cand('z', 1), cand('x-intro', 0.5, 'x')];
    const hits = fuseHybrid(vector, fts, 'q', 10, { limit: 4 });
    expect(hits.map((h) => h.path)).toEqual(['/kb/x.md', '/kb/y.md', '/kb/z.md', '/kb/x.md']);
    // the file's score is on each of its hits; the chunks keep their own ranks and scores
    expect(hits[0]!.score).toBe(hits[3]!.score);
    expect(hits[0]!.scores.fused).toBe(hits[0]!.score);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    const option = hits.find((h) => h.id === 'x-option')!;
    expect(option.scores).toMatchObject({ vectorRank: 3, ftsRank: 1, fts: 9 });
    expect(option.scores.vector).toBeCloseTo(0.5, 6);
  });

  it('represents a file by its chunk with the best combined score', () => {
    const vector = [cand('x-a', 0.1, 'x'), cand('x-b', 0.2, 'x'), cand('y', 0.5)];
    const fts = [cand('x-b', 5, 'x'), cand('y', 1)];
    expect(ids(fuseHybrid(vector, fts, 'q', 3, { limit: 10 }))).toEqual(['x-b', 'y', 'x-a']);
  });

  it('gives a chunk no query word matched a BM25 of 0 when the full-text list ended early', () => {
    // Only "rare" has the unusual word; by meaning it is the last of ten.
    const vector = [...Array.from({ length: 9 }, (_, i) => cand(`v${i}`, 0.2 + i / 100)), cand('rare', 0.29)];
    const fts = [cand('rare', 2)];
    expect(ids(fuseHybrid(vector, fts, 'q', 10, { limit: 50 }))[0]).toBe('rare');
    // a full list says nothing about what it left out: the missing get its lowest score, no lift
    expect(ids(fuseHybrid(vector, fts, 'q', 10, { limit: 1 })).at(-1)).toBe('rare');
  });

  it('is the vector order at weight 1 and the full-text order at weight 0', () => {
    const vector = [cand('a', 0.1), cand('b', 0.2), cand('c', 0.3)];
    const fts = [cand('c', 3), cand('b', 2), cand('a', 1)];
    expect(ids(fuseHybrid(vector, fts, 'q', 3, { limit: 3, vectorWeight: 1 }))).toEqual(['a', 'b', 'c']);
    expect(ids(fuseHybrid(vector, fts, 'q', 3, { limit: 3, vectorWeight: 0 }))).toEqual(['c', 'b', 'a']);
  });

  it('falls back to one side when the other found nothing, and is empty when both did', () => {
    const vector = [cand('a', 0.1), cand('b', 0.2)];
    expect(ids(fuseHybrid(vector, [], 'q', 5, { limit: 10 }))).toEqual(['a', 'b']);
    expect(fuseHybrid(vector, [], 'q', 5, { limit: 10 })[0]!.scores).toEqual({ fused: expect.any(Number), vector: expect.closeTo(0.9, 6), vectorRank: 1 });
    expect(ids(fuseHybrid([], [cand('c', 3)], 'q', 5, { limit: 10 }))).toEqual(['c']);
    expect(fuseHybrid([], [], 'q', 5, { limit: 10 })).toEqual([]);
    expect(fuseHybrid(vector, [], 'q', 1, { limit: 10 })).toHaveLength(1);
  });

  it('breaks exact ties by path, never by input order', () => {
    const one = fuseHybrid([cand('b', 0.1), cand('a', 0.1)], [], 'q', 2, { limit: 2 });
    const two = fuseHybrid([cand('a', 0.1), cand('b', 0.1)], [], 'q', 2, { limit: 2 });
    expect(ids(one)).toEqual(['a', 'b']);
    expect(ids(two)).toEqual(['a', 'b']);
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
  const fakeEmbed = (calls: string[][]): Embed => async ({ input }) => {
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

  it('asks the batch size before each request (smaller while someone searches), capped by its own, vectors in order', async () => {
    const calls: string[][] = [];
    const e = createEmbedder({ embed: fakeEmbed(calls), model: 'm', batchSize: 4, concurrency: 1, cache: new EmbeddingCache() });
    const sizes = [4, 1, 100, 2];
    const texts = ['a', 'bb', 'ccc', 'dddd', 'e', 'ff', 'ggg', 'hhhh', 'i', 'jj', 'kkk'];
    const { vectors } = await e.embedTexts(texts, { batchSize: () => sizes.shift() ?? 3 });
    expect(calls.map((c) => c.length)).toEqual([4, 1, 4, 2]);
    expect(calls.flat()).toEqual(texts);
    expect(vectors.map((v) => v[0])).toEqual(texts.map((t) => t.length));
  });

  it('times full batches: a much quicker one replaces an inflated estimate at once, a slower one moves it part way', async () => {
    const delays = [200, 10, 60];
    const embed: Embed = async ({ input }) => {
      const texts = Array.isArray(input) ? input : [input];
      await new Promise((r) => setTimeout(r, delays.shift() ?? 0));
      return { model: 'm', embeddings: texts.map((t) => [t.length]) } as never;
    };
    const e = createEmbedder({ embed, model: 'm', batchSize: 2, concurrency: 1, cache: new EmbeddingCache() });
    expect(e.requestTimes()).toMatchObject({ fullBatchMs: null, sinceFullMs: null });
    await e.embedTexts(['a', 'b']);
    expect(e.requestTimes().fullBatchMs).toBeGreaterThanOrEqual(195);
    await e.embedTexts(['c', 'd']);
    const quick = e.requestTimes().fullBatchMs!;
    expect(quick).toBeLessThan(100);
    await e.embedTexts(['e', 'f']);
    const slower = e.requestTimes();
    expect(slower.fullBatchMs).toBeGreaterThan(quick);
    expect(slower.fullBatchMs).toBeLessThan(55);
    expect(slower.sinceFullMs).toBeGreaterThanOrEqual(0);
    expect(slower.sinceFullMs).toBeLessThan(1000);
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

describe('reciprocal rank fusion (knowledge.fusion: rrf)', () => {
  it('scores a file by 1 / (60 + its rank among files) in each list, by its best chunk', () => {
    // Files by vector: x (1), y (2); by full-text: y (1), z (2), x (3). x's second vector chunk adds nothing.
    const vector = [cand('x-a', 0.1, 'x'), cand('x-b', 0.2, 'x'), cand('y', 0.3)];
    const fts = [cand('y', 5), cand('z', 4), cand('x-b', 1, 'x')];
    const hits = fuseRrf(vector, fts, 'q', 10);
    expect(hits.map((h) => h.path)).toEqual(['/kb/y.md', '/kb/x.md', '/kb/z.md', '/kb/x.md']);
    expect(hits[0]!.score).toBeCloseTo(1 / (rrfK + 2) + 1 / (rrfK + 1), 12);
    expect(hits[1]!.score).toBeCloseTo(1 / (rrfK + 1) + 1 / (rrfK + 3), 12);
    expect(hits[2]!.score).toBeCloseTo(1 / (rrfK + 2), 12);
    // within x: the chunk with the better rank in either list first; each keeps its own scores
    expect(ids(hits.filter((h) => h.path === '/kb/x.md'))).toEqual(['x-a', 'x-b']);
    expect(hits.find((h) => h.id === 'x-b')!.scores).toMatchObject({ vectorRank: 2, ftsRank: 3, fts: 1, fused: hits[1]!.score });
    expect(hits.find((h) => h.id === 'x-b')!.scores.vector).toBeCloseTo(0.8, 6);
  });

  it("ignores how far ahead a list's top is (where the convex fusion does not)", () => {
    // b is far ahead by words, a barely ahead by meaning: RRF calls it a tie and breaks it by path.
    const vector = [cand('a', 0.1), cand('b', 0.1001), cand('c', 0.5), cand('d', 0.6)];
    const fts = [cand('b', 50), cand('a', 10), cand('c', 9), cand('d', 8)];
    const rrf = fuseRrf(vector, fts, 'q', 4);
    expect(rrf[0]!.score).toBeCloseTo(rrf[1]!.score, 12);
    expect(ids(fuseHybrid(vector, fts, 'q', 4, { limit: 4 }))[0]).toBe('b');
  });

  it('takes one side alone when the other found nothing', () => {
    expect(ids(fuseRrf([cand('a', 0.1), cand('b', 0.2)], [], 'q', 5))).toEqual(['a', 'b']);
    expect(fuseRrf([], [], 'q', 5)).toEqual([]);
  });
});
