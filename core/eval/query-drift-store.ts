/**
 * Where query drift keeps its data, per embedding version, in the data dir (`query-drift/`):
 * - `<version>.json`: the reference, the centroid similarities are measured against and the first
 *   queries' similarities to it (the "baseline" of seed 2.3's test), fixed once full;
 * - `<version>.recent.jsonl`: recent queries' similarities with their time, one `[t, s]` per line,
 *   so the 7-day window survives a restart of a desktop app that is closed every evening.
 * Only numbers are stored, never query text. Files are read as untrusted: what does not parse is
 * skipped. Writes are async and reported on failure: a full disk costs drift data, never a query.
 */
import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export interface QueryDriftReference {
  embeddingVersion: string;
  /** The knowledge base centroid when the reference began (kept: later ingestions move the base one). */
  centroid: number[];
  /** Cosine similarity of each reference query to the centroid, in arrival order. */
  similarities: number[];
  createdAt: string;
}

/** One recent query: epoch ms, cosine similarity to the reference centroid. */
export type DriftPoint = [t: number, similarity: number];

export interface QueryDriftStore {
  loadReference(version: string): QueryDriftReference | null;
  saveReference(reference: QueryDriftReference): Promise<void>;
  loadRecent(version: string, since: number, max: number): DriftPoint[];
  appendRecent(version: string, point: DriftPoint): Promise<void>;
  /** Rewrites the recent file with these points (when it grew past twice what is kept). */
  compactRecent(version: string, points: DriftPoint[]): Promise<void>;
  /** Resolves when every write asked for so far has ended (before a close, in tests). */
  settled(): Promise<void>;
}

const similarity = z.number().min(-1).max(1);
const referenceSchema = z.object({
  embeddingVersion: z.string().min(1).max(300),
  centroid: z.array(z.number().finite()).min(1).max(65_536),
  similarities: z.array(similarity).max(100_000),
  createdAt: z.string().max(100),
});

const fileName = (version: string) => version.replace(/[^\w.@-]+/g, '_');

export function createQueryDriftStore(dataDir: string): QueryDriftStore {
  const dir = join(dataDir, 'query-drift');
  const referencePath = (v: string) => join(dir, `${fileName(v)}.json`);
  const recentPath = (v: string) => join(dir, `${fileName(v)}.recent.jsonl`);
  // One write at a time per store: an append must not land inside a compaction's rename.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = (work: () => Promise<void>): Promise<void> => {
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  };
  const replace = async (path: string, text: string) => {
    await mkdir(dir, { recursive: true });
    await writeFile(`${path}.tmp`, text);
    await rename(`${path}.tmp`, path);
  };

  return {
    loadReference(version) {
      try {
        const parsed = referenceSchema.safeParse(JSON.parse(readFileSync(referencePath(version), 'utf8')));
        return parsed.success && parsed.data.embeddingVersion === version ? parsed.data : null;
      } catch {
        return null;
      }
    },
    saveReference: (reference) => serial(() => replace(referencePath(reference.embeddingVersion), JSON.stringify(reference))),
    loadRecent(version, since, max) {
      let text: string;
      try {
        text = readFileSync(recentPath(version), 'utf8');
      } catch {
        return [];
      }
      const points: DriftPoint[] = [];
      for (const line of text.split('\n')) {
        if (!line || line.length > 100) continue;
        try {
          // Checked by hand, not by zod: thousands of lines are read on the first query after a start.
          const v: unknown = JSON.parse(line);
          if (Array.isArray(v) && v.length === 2 && Number.isInteger(v[0]) && v[0] >= since && typeof v[1] === 'number' && v[1] >= -1 && v[1] <= 1) points.push([v[0], v[1]]);
        } catch {
          // A torn last line or a hand edit: skipped.
        }
      }
      return points.slice(-max);
    },
    appendRecent: (version, point) =>
      serial(async () => {
        await mkdir(dir, { recursive: true });
        await appendFile(recentPath(version), `${JSON.stringify(point)}\n`);
      }),
    settled: () => queue.then(() => {}),
    compactRecent: (version, points) => serial(() => replace(recentPath(version), points.map((p) => JSON.stringify(p)).join('\n') + (points.length ? '\n' : ''))),
  };
}
