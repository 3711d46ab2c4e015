/**
 * Model performance drift (seed 2.3): a set's latest evaluation against its baseline run, as
 * `agent_model_performance_drift{metric_name, model_version, set}` = (now - baseline) / baseline:
 * 0 while retrieval is as good as when the set was first evaluated, -0.10 when MRR is 10% lower
 * (the seed's alert: below -0.05). The absolute MRR alert says "retrieval is poor"; this one says
 * "retrieval got worse" (a new embedding model or tag, a changed chunker, a corpus that grew
 * around the labelled documents), also when it is still above the absolute threshold.
 *
 * The baseline of a set is its first kept run (or, after an upgrade, the oldest run in the
 * history), kept in `eval/baselines.json` so it outlives the history's trimming. To take a new
 * baseline after an intended change, remove the set from that file: the next run becomes it.
 * metric_name: mrr, hit_rate (Hit@5, the LowHitRateAtK cutoff) and ndcg of the ranked mode (hybrid,
 * or the only mode evaluated); model_version is the embedding version of the latest run.
 */
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { rankedMode, type KbEvalRun } from '../common/knowledge';
import { runSchema } from './eval-history';
import type { EvalGauges } from './eval-gauges';

export const evalBaselinesFile = (dataDir: string) => join(dataDir, 'eval', 'baselines.json');

export interface EvalBaselines {
  /** The set's baseline, or null. */
  get(set: string): Promise<KbEvalRun | null>;
  /** The set's baseline; `run` becomes it when the set has none. */
  keep(run: KbEvalRun): Promise<KbEvalRun>;
}

const fileSchema = z.record(z.string().min(1).max(200), z.unknown());

export function createEvalBaselines(deps: { dataDir: string }): EvalBaselines {
  const path = evalBaselinesFile(deps.dataDir);
  let queue: Promise<unknown> = Promise.resolve();
  // A Map, not an object: set names come from file names and must not reach a prototype.
  const read = async (): Promise<Map<string, KbEvalRun>> => {
    const out = new Map<string, KbEvalRun>();
    try {
      const parsed = fileSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
      if (!parsed.success) return out;
      for (const [set, value] of Object.entries(parsed.data)) {
        const run = runSchema.safeParse(value);
        if (run.success && run.data.set === set) out.set(set, run.data as KbEvalRun);
      }
    } catch {
      // Missing or unreadable: no baselines yet.
    }
    return out;
  };
  return {
    get: async (set) => (await read()).get(set) ?? null,
    keep(run) {
      const work = async () => {
        const all = await read();
        const existing = all.get(run.set);
        if (existing) return existing;
        all.set(run.set, run);
        await mkdir(join(path, '..'), { recursive: true });
        await writeFile(`${path}.tmp`, JSON.stringify(Object.fromEntries(all), null, 1));
        await rename(`${path}.tmp`, path);
        return run;
      };
      const next = queue.then(work, work);
      queue = next.catch(() => {});
      return next;
    },
  };
}

/** (now - base) / base; null when the baseline scored 0 (no relative change from nothing). */
export function relativeChange(now: number, base: number): number | null {
  return base > 0 && Number.isFinite(now) ? (now - base) / base : null;
}

/** The compared scores of a run, by metric_name. */
function scoresOf(run: KbEvalRun): Record<string, number | undefined> {
  const m = rankedMode(run);
  return { mrr: m?.mrr, hit_rate: m?.hitRate[5], ndcg: m?.ndcg };
}

/**
 * Sets the set's drift series from its latest run and baseline. The previous model_version's
 * series of the set are removed: after a model change only the current comparison is exported.
 */
export function recordPerformanceDrift(gauges: Pick<EvalGauges, 'performanceDrift'>, run: KbEvalRun, baseline: KbEvalRun, versions: Map<string, string>): void {
  const previous = versions.get(run.set);
  const now = scoresOf(run);
  const base = scoresOf(baseline);
  for (const metric of Object.keys(now)) {
    if (previous !== undefined && previous !== run.embeddingVersion) gauges.performanceDrift.remove({ metric_name: metric, model_version: previous, set: run.set });
    const change = now[metric] === undefined || base[metric] === undefined ? null : relativeChange(now[metric]!, base[metric]!);
    const labels = { metric_name: metric, model_version: run.embeddingVersion, set: run.set };
    if (change === null) gauges.performanceDrift.remove(labels);
    else gauges.performanceDrift.set(labels, change);
  }
  versions.set(run.set, run.embeddingVersion);
}
