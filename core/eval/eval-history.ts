/**
 * Evaluation results kept in the data dir, one JSON line per run (`eval/history.jsonl`), so the
 * quality gauges survive a restart and a CLI run is seen by the serving app at its next start.
 * The file is the app's own, but it is read as untrusted: a line that does not parse or does not
 * fit the schema is skipped, never a crash, and the file is cut back to `limit` runs as it grows.
 */
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { fusionMethods, searchModes, type KbEvalReport, type KbEvalRun, type KbEvalTrigger } from '../common/knowledge';

export const evalHistoryFile = (dataDir: string) => join(dataDir, 'eval', 'history.jsonl');

const score = z.number().min(0).max(1);
/** One kept run, as the history file and the baselines file hold it. */
export const runSchema = z.object({
  at: z.iso.datetime({ offset: true }),
  set: z.string().min(1).max(200),
  trigger: z.enum(['manual', 'after-ingest', 'schedule']),
  embeddingVersion: z.string().min(1).max(300),
  fusion: z.enum(fusionMethods).nullable(),
  depth: z.number().int().min(1).max(100),
  queries: z.number().int().min(0),
  chunks: z.number().int().min(0),
  documents: z.number().int().min(0),
  modes: z
    .array(
      z.object({
        mode: z.enum(searchModes),
        queries: z.number().int().min(0),
        mrr: score,
        hitRate: z.record(z.string().regex(/^\d{1,3}$/), score),
        ndcg: score,
        meanLatencyMs: z.number().min(0),
      }),
    )
    .max(10),
});

/** A set name fit for a label and a file line: the file's own name, trimmed and bounded. */
export function evalSetName(name: string | undefined): string {
  const trimmed = (name ?? '').trim().slice(0, 200);
  return trimmed || 'inline';
}

export function runFromReport(report: KbEvalReport, set: string, trigger: KbEvalTrigger, at: Date): KbEvalRun {
  const { perQuery: _perQuery, unresolvedLabels: _unresolved, ...rest } = report;
  return { at: at.toISOString(), set: evalSetName(set), trigger, ...rest };
}

export interface EvalHistory {
  append(run: KbEvalRun): Promise<void>;
  /** Oldest first. */
  list(): Promise<KbEvalRun[]>;
}

export function createEvalHistory(deps: { dataDir: string; limit?: number }): EvalHistory {
  const path = evalHistoryFile(deps.dataDir);
  const limit = deps.limit ?? 200;
  // Appends and cuts one after another: two runs ending together must not interleave a rewrite.
  let queue: Promise<unknown> = Promise.resolve();

  const list = async (): Promise<KbEvalRun[]> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return [];
    }
    const runs: KbEvalRun[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim() || line.length > 100_000) continue;
      try {
        const parsed = runSchema.safeParse(JSON.parse(line));
        if (parsed.success) runs.push(parsed.data as KbEvalRun);
      } catch {
        // A torn last line (crash mid-append) or a hand edit: skipped.
      }
    }
    return runs;
  };

  return {
    list: () => queue.then(list, list),
    append(run) {
      const work = async () => {
        await mkdir(join(path, '..'), { recursive: true });
        await appendFile(path, JSON.stringify(run) + '\n');
        const runs = await list();
        if (runs.length > limit * 2) {
          await writeFile(`${path}.tmp`, runs.slice(-limit).map((r) => JSON.stringify(r)).join('\n') + '\n');
          await rename(`${path}.tmp`, path);
        }
      };
      const next = queue.then(work, work);
      queue = next.catch(() => {});
      return next;
    },
  };
}
