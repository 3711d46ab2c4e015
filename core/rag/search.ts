/**
 * The three searches over one chunk table, and their fusion.
 * - vector: cosine distance; an ANN index answers when one is ready, a flat scan otherwise.
 * - fts: BM25 over LanceDB's full-text (inverted) indexes on `text` and on `heading` (the
 *   heading trail), as one multi-match query: a chunk scores the better of its two fields' BM25,
 *   so a chunk deep in a section still matches the words of the titles above it ("Class:
 *   RetryAgent > Example"). No boost: nothing says a title is worth more than a body. Rows added
 *   since an index was built are scanned too; a store without the heading index (built before it
 *   existed) is searched on `text` alone until its next ingestion builds the index.
 * - hybrid: both run concurrently, each for `candidatePool(k)` rows, fused by `fuseHybrid`.
 *
 * Every mode lists files first: a file's best chunk, at the rank of its best evidence, before any
 * file's second chunk (`byFile`). A hit list of five chunks of one file says less than five files,
 * the evaluation counts a file once, and the chat's sources cover more ground in the same budget.
 */
import type { Table } from '@lancedb/lancedb';
import type { SearchHit } from '../common/knowledge';
import { loadLance } from './store';

/** Columns a hit needs: never the vector itself. */
const columns = ['id', 'path', 'heading', 'position', 'text'];

/** The text columns BM25 searches (each needs its FTS index: see `ftsColumns` users). */
export const ftsColumns = ['text', 'heading'] as const;

/**
 * Chunks each side brings to the fusion (and each single mode reads before grouping by file): a
 * sample large enough for the z-scores' mean and deviation, and for several chunks of one file to
 * compete; 2k when k is larger.
 */
export function candidatePool(k: number): number {
  return Math.max(50, 2 * k);
}

/** Weight of the vector side in the fused score (the full-text side has 1 - w): equal. */
export const vectorWeight = 0.5;

export interface Candidate {
  id: string;
  path: string;
  heading: string;
  position: number;
  text: string;
  /** cosine distance (vector) or BM25 score (fts) */
  raw: number;
}

export interface AnnQueryOptions {
  /** An ANN index is ready: probe this many partitions and re-rank refineFactor x k rows exactly. */
  nprobes: number;
  refineFactor: number;
}

function toCandidate(row: Record<string, unknown>, raw: number): Candidate {
  return { id: String(row.id), path: String(row.path), heading: String(row.heading ?? ''), position: Number(row.position ?? 0), text: String(row.text ?? ''), raw };
}

/**
 * `indexedOnly`: LanceDB's fastSearch, the indexed rows only (no flat scan of rows an optimize has
 * not folded in yet); only meaningful once the side has an index (without one it finds nothing).
 */
export async function vectorSearch(table: Table, vector: Float32Array, limit: number, ann: AnnQueryOptions | null, indexedOnly = false): Promise<Candidate[]> {
  let query = table.vectorSearch(vector).distanceType('cosine').select([...columns, '_distance']).limit(limit);
  if (ann) query = query.nprobes(ann.nprobes).refineFactor(ann.refineFactor);
  if (ann && indexedOnly) query = query.fastSearch();
  const rows = (await query.toArray()) as Record<string, unknown>[];
  return rows.map((r) => toCandidate(r, Number(r._distance)));
}

export async function ftsSearch(table: Table, text: string, limit: number, indexedOnly = false): Promise<Candidate[]> {
  const { MultiMatchQuery } = await loadLance();
  const query = new MultiMatchQuery(text, [...ftsColumns]);
  let q = table.query().fullTextSearch(query).select(columns).limit(limit);
  if (indexedOnly) q = q.fastSearch();
  const rows = (await q.toArray()) as Record<string, unknown>[];
  return rows.map((r) => toCandidate(r, Number(r._score)));
}

export function snippetOf(text: string, query: string, max = 240): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const words = query.toLowerCase().match(/[\p{L}\p{N}_]{3,}/gu) ?? [];
  const lower = flat.toLowerCase();
  const at = words.map((w) => lower.indexOf(w)).filter((i) => i >= 0).sort((a, b) => a - b)[0] ?? 0;
  const start = Math.max(0, Math.min(at - Math.floor(max / 3), flat.length - max));
  const cut = flat.slice(start, start + max);
  return `${start > 0 ? '...' : ''}${cut}${start + max < flat.length ? '...' : ''}`;
}

const similarity = (distance: number) => Math.max(-1, Math.min(1, 1 - distance));

/**
 * Files first: the items grouped by `path`, files in the order of their first item; then the
 * first item of every file, then the second of every file, and so on. Within a file the input
 * order is kept.
 */
export function byFile<T extends { path: string }>(ranked: readonly T[]): T[] {
  const files = new Map<string, T[]>();
  for (const item of ranked) {
    const list = files.get(item.path);
    if (list) list.push(item);
    else files.set(item.path, [item]);
  }
  const out: T[] = [];
  for (let tier = 0; out.length < ranked.length; tier++) for (const list of files.values()) if (tier < list.length) out.push(list[tier]!);
  return out;
}

type Unsnipped = Omit<SearchHit, 'snippet'>;

/** The first k, files first, with their snippets (made for those only). */
function topK(hits: Unsnipped[], query: string, k: number): SearchHit[] {
  return byFile(hits)
    .slice(0, k)
    .map((h) => ({ ...h, snippet: snippetOf(h.text, query) }));
}

export function vectorHits(candidates: Candidate[], query: string, k: number): SearchHit[] {
  return topK(candidates.map((c, i) => ({ ...hitBase(c), score: similarity(c.raw), scores: { vector: similarity(c.raw), vectorRank: i + 1 } })), query, k);
}

export function ftsHits(candidates: Candidate[], query: string, k: number): SearchHit[] {
  return topK(candidates.map((c, i) => ({ ...hitBase(c), score: c.raw, scores: { fts: c.raw, ftsRank: i + 1 } })), query, k);
}

function hitBase(c: Candidate) {
  return { id: c.id, path: c.path, heading: c.heading, position: c.position, text: c.text };
}

/** Standard scores (x - mean) / deviation; all 0 when the values do not vary. */
export function zScores(values: readonly number[]): number[] {
  if (values.length === 0) return [];
  const mean = values.reduce((s, x) => s + x, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, x) => s + (x - mean) ** 2, 0) / values.length);
  return values.map((x) => (sd > 1e-12 ? (x - mean) / sd : 0));
}

export interface FuseOptions {
  /** Rows each search was asked for: a full-text list shorter than this holds every matching row. */
  limit: number;
  /** Weight of the vector side, 0..1 (default `vectorWeight`). */
  vectorWeight?: number;
}

/**
 * Document-aware convex fusion of the two ranked lists (a convex combination of normalised
 * scores, which Bruch, Gai & Ingber, "An analysis of fusion functions for hybrid retrieval", ACM
 * TOIS 2023, found better than reciprocal rank fusion and less sensitive to its one parameter):
 * 1. the candidates are both lists' chunks; each gets both sides' scores (cosine similarity,
 *    BM25). A chunk one list did not return gets that list's lowest score; for the full-text list,
 *    0 when it ended early (no query word matched the chunk);
 * 2. each side's scores become z-scores over the candidates, so neither side's scale dominates
 *    and a side whose top is no better than its average moves the order little;
 * 3. a file scores w x (its best chunk's vector z) + (1 - w) x (its best chunk's full-text z):
 *    the two searches often find different chunks of the file that answers (the option's section
 *    by its words, the overview by its meaning), and chunk-level fusion would split that evidence;
 * 4. files in score order, each represented by its chunk with the best combined z, then the
 *    files' further chunks (`byFile`). `score` and `scores.fused` are the file's score.
 */
export function fuseHybrid(vector: readonly Candidate[], fts: readonly Candidate[], query: string, k: number, options: FuseOptions): SearchHit[] {
  const w = options.vectorWeight ?? vectorWeight;
  const byId = new Map<string, { c: Candidate; vectorRank?: number; ftsRank?: number; vectorSim?: number; bm25?: number }>();
  vector.forEach((c, i) => byId.set(c.id, { c, vectorRank: i + 1, vectorSim: similarity(c.raw) }));
  fts.forEach((c, i) => {
    const e = byId.get(c.id);
    if (e) Object.assign(e, { ftsRank: i + 1, bm25: c.raw });
    else byId.set(c.id, { c, ftsRank: i + 1, bm25: c.raw });
  });
  const entries = [...byId.values()];
  if (entries.length === 0) return [];
  const minOf = (xs: number[]) => (xs.length ? Math.min(...xs) : 0);
  const vectorFloor = minOf(vector.map((c) => similarity(c.raw)));
  const ftsFloor = fts.length < options.limit ? 0 : minOf(fts.map((c) => c.raw));
  const zv = zScores(entries.map((e) => e.vectorSim ?? vectorFloor));
  const zf = zScores(entries.map((e) => e.bm25 ?? ftsFloor));

  const files = new Map<string, { bestV: number; bestF: number; chunks: { i: number; combined: number }[] }>();
  entries.forEach((e, i) => {
    const f = files.get(e.c.path) ?? { bestV: -Infinity, bestF: -Infinity, chunks: [] };
    f.bestV = Math.max(f.bestV, zv[i]!);
    f.bestF = Math.max(f.bestF, zf[i]!);
    f.chunks.push({ i, combined: w * zv[i]! + (1 - w) * zf[i]! });
    files.set(e.c.path, f);
  });
  const ranked = [...files.entries()]
    .map(([path, f]) => ({ path, score: w * f.bestV + (1 - w) * f.bestF, chunks: f.chunks.sort((a, b) => b.combined - a.combined) }))
    // Ties: the better single chunk, then the path, so the order never depends on Map order.
    .sort((a, b) => b.score - a.score || b.chunks[0]!.combined - a.chunks[0]!.combined || a.path.localeCompare(b.path));
  const hits = ranked.flatMap((file) =>
    file.chunks.map(({ i }) => {
      const e = entries[i]!;
      const scores: SearchHit['scores'] = { fused: file.score };
      if (e.vectorRank !== undefined) Object.assign(scores, { vector: e.vectorSim, vectorRank: e.vectorRank });
      if (e.ftsRank !== undefined) Object.assign(scores, { fts: e.bm25, ftsRank: e.ftsRank });
      return { ...hitBase(e.c), score: file.score, scores };
    }),
  );
  return topK(hits, query, k);
}

/** The constant of reciprocal rank fusion (Cormack, Clarke & Buettcher, SIGIR 2009). */
export const rrfK = 60;

/**
 * Document-aware reciprocal rank fusion, the alternative to `fuseHybrid` (`knowledge.fusion:
 * rrf`): a file scores the sum over both lists of 1 / (rrfK + its rank among the list's files,
 * by its best chunk). Rank-only, so it needs no score scales, but it ignores how far ahead a
 * list's top is; on the evaluation set it scores below full-text alone (docs/benchmarks.md).
 * Within a file, chunks go by their best rank in either list. `score` and `scores.fused` are the
 * file's RRF score.
 */
export function fuseRrf(vector: readonly Candidate[], fts: readonly Candidate[], query: string, k: number): SearchHit[] {
  const entries = new Map<string, { c: Candidate; vectorRank?: number; ftsRank?: number; best: number }>();
  const files = new Map<string, number>();
  const addList = (list: readonly Candidate[], side: 'vectorRank' | 'ftsRank') => {
    const fileRank = new Map<string, number>();
    list.forEach((c, i) => {
      if (!fileRank.has(c.path)) fileRank.set(c.path, fileRank.size + 1);
      const e = entries.get(c.id) ?? { c, best: Infinity };
      e[side] = i + 1;
      e.best = Math.min(e.best, i + 1);
      entries.set(c.id, e);
    });
    for (const [path, rank] of fileRank) files.set(path, (files.get(path) ?? 0) + 1 / (rrfK + rank));
  };
  addList(vector, 'vectorRank');
  addList(fts, 'ftsRank');
  const hits = [...entries.values()]
    .sort((a, b) => files.get(b.c.path)! - files.get(a.c.path)! || a.c.path.localeCompare(b.c.path) || a.best - b.best)
    .map((e) => {
      const score = files.get(e.c.path)!;
      const scores: SearchHit['scores'] = { fused: score };
      if (e.vectorRank !== undefined) Object.assign(scores, { vector: similarity(e.c.raw), vectorRank: e.vectorRank });
      if (e.ftsRank !== undefined) Object.assign(scores, { fts: fts[e.ftsRank - 1]!.raw, ftsRank: e.ftsRank });
      return { ...hitBase(e.c), score, scores };
    });
  return topK(hits, query, k);
}
