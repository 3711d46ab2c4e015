/**
 * Embeddings for the fake Ollama server.
 *
 * The server only depends on the `Embedder` function type, so a later change
 * can plug in pretrained word vectors (pass `embedder` to startFakeOllama).
 * The default `hashEmbedder` is a bag-of-words hashing embedder: every word
 * gets a fixed pseudo-random direction derived from its hash, a text is the
 * sum of its words' directions, L2-normalised. Same text -> same vector;
 * texts sharing words have a higher cosine similarity than unrelated texts.
 */
import { fnv1a } from './tokens';
import { seededRandom } from '../support/seeded-random';

export interface EmbedInput {
  /** The text to embed (already truncated to the model's context by the server). */
  text: string;
  /** The requested model name, as sent by the client. */
  model: string;
  /** The model's embedding length (vector dimension to return). */
  dimensions: number;
}

/** Computes one embedding. Must return exactly `input.dimensions` finite numbers. */
export type Embedder = (input: EmbedInput) => number[] | Promise<number[]>;

/** Lower-cased words of a text (letters/digits runs), the unit the hash embedder works on. */
export function embeddingWords(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
}

/** Floats in [-1, 1) from a seed (the same sequence as before the generator was shared). */
function directionGenerator(seed: number): () => number {
  const next = seededRandom(seed);
  return () => next() * 2 - 1;
}

/** Scales a vector to unit length (a zero vector is returned unchanged). */
export function l2Normalize(vector: number[]): number[] {
  let sum = 0;
  for (const x of vector) sum += x * x;
  const norm = Math.sqrt(sum);
  return norm === 0 ? vector : vector.map((x) => x / norm);
}

/** Cosine similarity of two vectors of equal length. */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Rounds to float32-like precision so the JSON looks like Ollama's (9 significant digits). */
function toWire(x: number): number {
  return Number(Math.fround(x).toPrecision(9));
}

/** The default embedder: deterministic hashed bag of words, L2-normalised. */
export const hashEmbedder: Embedder = ({ text, dimensions }) => {
  const words = embeddingWords(text);
  // A text without words (only punctuation/spaces) still gets a stable vector.
  const units = words.length > 0 ? words : [`<text:${text}>`];
  const sum = new Array<number>(dimensions).fill(0);
  for (const word of units) {
    const next = directionGenerator(fnv1a(word));
    for (let i = 0; i < dimensions; i++) sum[i] = (sum[i] ?? 0) + next();
  }
  return l2Normalize(sum).map(toWire);
};

/**
 * Applies Ollama's `dimensions` request option: keep the first `dimensions`
 * values and re-normalise. Values <= 0 or >= the vector length leave it as is.
 */
export function truncateDimensions(vector: number[], dimensions: number | undefined): number[] {
  if (dimensions === undefined || dimensions <= 0 || dimensions >= vector.length) return vector;
  return l2Normalize(vector.slice(0, dimensions)).map(toWire);
}
