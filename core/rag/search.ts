/**
 * The three searches over one chunk table, and their fusion.
 * - vector: cosine distance; an ANN index answers when one is ready, a flat scan otherwise.
 * - fts: BM25 over LanceDB's full-text (inverted) index on `text`; rows added since the index
 *   was built are scanned too.
 * - hybrid: both run concurrently, each for `candidates` rows, fused with our own reciprocal
 *   rank fusion (score = sum of 1 / (60 + rank), the constant of Cormack et al. and of LanceDB's
 *   RRFReranker). Doing the fusion here keeps each side's rank and score on the hit and lets
 *   `semantic_search` / `keyword_search` be spans of their own.
 */
import type { Table } from '@lancedb/lancedb';
import type { SearchHit } from '../common/knowledge';

export const rrfK = 60;

/** Columns a hit needs: never the vector itself. */
const columns = ['id', 'path', 'heading', 'position', 'text'];

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

export async function vectorSearch(table: Table, vector: Float32Array, limit: number, ann: AnnQueryOptions | null): Promise<Candidate[]> {
  let query = table.vectorSearch(vector).distanceType('cosine').select([...columns, '_distance']).limit(limit);
  if (ann) query = query.nprobes(ann.nprobes).refineFactor(ann.refineFactor);
  const rows = (await query.toArray()) as Record<string, unknown>[];
  return rows.map((r) => toCandidate(r, Number(r._distance)));
}

export async function ftsSearch(table: Table, text: string, limit: number): Promise<Candidate[]> {
  const rows = (await table.query().fullTextSearch(text, { columns: 'text' }).select(columns).limit(limit).toArray()) as Record<string, unknown>[];
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

export function vectorHits(candidates: Candidate[], query: string, k: number): SearchHit[] {
  return candidates.slice(0, k).map((c, i) => ({ ...hitBase(c, query), score: similarity(c.raw), scores: { vector: similarity(c.raw), vectorRank: i + 1 } }));
}

export function ftsHits(candidates: Candidate[], query: string, k: number): SearchHit[] {
  return candidates.slice(0, k).map((c, i) => ({ ...hitBase(c, query), score: c.raw, scores: { fts: c.raw, ftsRank: i + 1 } }));
}

function hitBase(c: Candidate, query: string) {
  return { id: c.id, path: c.path, heading: c.heading, position: c.position, text: c.text, snippet: snippetOf(c.text, query) };
}

/** Reciprocal rank fusion of the two ranked lists; ties keep the vector order. */
export function fuseRrf(vector: Candidate[], fts: Candidate[], query: string, k: number): SearchHit[] {
  const byId = new Map<string, SearchHit>();
  vector.forEach((c, i) => {
    byId.set(c.id, { ...hitBase(c, query), score: 0, scores: { vector: similarity(c.raw), vectorRank: i + 1, rrf: 1 / (rrfK + i + 1) } });
  });
  fts.forEach((c, i) => {
    const add = 1 / (rrfK + i + 1);
    const hit = byId.get(c.id);
    if (hit) {
      hit.scores.fts = c.raw;
      hit.scores.ftsRank = i + 1;
      hit.scores.rrf = (hit.scores.rrf ?? 0) + add;
    } else {
      byId.set(c.id, { ...hitBase(c, query), score: 0, scores: { fts: c.raw, ftsRank: i + 1, rrf: add } });
    }
  });
  const hits = [...byId.values()];
  for (const h of hits) h.score = h.scores.rrf ?? 0;
  return hits.sort((a, b) => b.score - a.score).slice(0, k);
}
