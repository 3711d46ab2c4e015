/**
 * Retrieval evaluation that lives in the serving app: every run (kb.eval, after an ingestion, on
 * the schedule) sets the quality gauges and is kept in the data dir; at start the kept runs are
 * exported again, so the MRR alerts can fire in normal use and survive a restart. A configured set
 * that cannot be read or run costs a warning, never the ingestion that triggered it.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { KbEvalInput } from '../common/methods/kb';
import type { KbEvalReport, KbEvalRun, KbEvalTrigger } from '../common/knowledge';
import type { KnowledgeBase } from '../rag';
import { createEvalHistory, evalSetName, runFromReport, type EvalHistory } from './eval-history';
import { recordEvalRun, type EvalGauges } from './eval-gauges';
import { createEvalBaselines, recordPerformanceDrift, type EvalBaselines } from './performance-drift';
import { parseEvalQueries, type EvalQuery } from './queries';
import { BrunoError } from '../common/errors';
import { runEval } from './run-eval';

export interface EvalRunnerDeps {
  knowledge: Pick<KnowledgeBase, 'search' | 'sources' | 'stats'>;
  gauges: EvalGauges;
  dataDir: string;
  /** Read at each use (live): the configured set and whether it runs after an ingestion. */
  settings: () => { set: string | null; afterIngest: boolean };
  /** 0 = no schedule. Read once. */
  intervalHours: number;
  /** Off in one-shot CLI commands: they would exit before a background run ends. */
  background: boolean;
  log: (level: 'info' | 'warn', message: string, context: Record<string, unknown>) => void;
  history?: EvalHistory;
  baselines?: EvalBaselines;
  now?: () => Date;
  readText?: (path: string) => Promise<string>;
  /** The timer of the schedule (tests pass a fake); default setTimeout, unref'd. */
  setTimer?: (fn: () => void, ms: number) => { cancel(): void };
}

/** Node's timers take at most 2^31-1 ms (24.8 days); a longer delay fires after 1 ms instead. */
export const maxTimerDelayMs = 2 ** 31 - 1;

const defaultTimer = (fn: () => void, ms: number) => {
  const t = setTimeout(fn, ms);
  t.unref?.();
  return { cancel: () => clearTimeout(t) };
};

/**
 * Calls `fn` every `periodMs` by the clock `now`. The interval setting goes up to 90 days, past
 * what one timer can wait: a long wait is cut into timer-sized steps that re-check the clock.
 */
export function scheduleEvery(periodMs: number, fn: () => void, now: () => number, setTimer = defaultTimer): { cancel(): void } {
  let due = now() + periodMs;
  let timer: { cancel(): void } | null = null;
  let cancelled = false;
  const arm = () => {
    if (cancelled) return;
    timer = setTimer(() => {
      if (now() >= due) {
        due = Math.max(due + periodMs, now() + 1);
        fn();
      }
      arm();
    }, Math.min(maxTimerDelayMs, Math.max(1, due - now())));
  };
  arm();
  return {
    cancel() {
      cancelled = true;
      timer?.cancel();
    },
  };
}

export interface EvalRunner {
  run(input: KbEvalInput & { set?: string }, trigger: KbEvalTrigger, options?: { signal?: AbortSignal; onQuery?: (done: number, total: number) => void }): Promise<KbEvalReport>;
  /** Runs the configured set now, in the background; resolves with the run (null: none configured, or it failed). */
  runConfigured(trigger: KbEvalTrigger): Promise<KbEvalRun | null>;
  /** Told after each finished ingestion. */
  afterIngest(): void;
  history(): Promise<KbEvalRun[]>;
  /** Exports the kept runs again (the latest per set); resolves when done. */
  restore(): Promise<void>;
  stop(): Promise<void>;
}

export function createEvalRunner(deps: EvalRunnerDeps): EvalRunner {
  const history = deps.history ?? createEvalHistory({ dataDir: deps.dataDir });
  const baselines = deps.baselines ?? createEvalBaselines({ dataDir: deps.dataDir });
  // The embedding version each set's drift series carry (replaced when it changes).
  const driftVersions = new Map<string, string>();
  /** The performance drift of a set's latest run against its baseline (bookkeeping: never fails a run). */
  const compareToBaseline = async (latest: KbEvalRun, fallback: KbEvalRun = latest) => {
    try {
      const baseline = await baselines.keep(fallback);
      recordPerformanceDrift(deps.gauges, latest, baseline, driftVersions);
    } catch (err) {
      deps.log('warn', 'could not compare the evaluation with its baseline', { component: 'rag_eval', set: latest.set, error: (err as Error).message });
    }
  };
  const now = deps.now ?? (() => new Date());
  const readText = deps.readText ?? ((path: string) => readFile(path, 'utf8'));
  const controller = new AbortController();
  let configured: Promise<KbEvalRun | null> | null = null;
  let again = false;

  /** The configured set's queries and name; an error the caller can show when there is none. */
  const configuredSet = async (): Promise<{ queries: EvalQuery[]; set: string }> => {
    const path = deps.settings().set;
    if (!path) throw new BrunoError('invalid_request', 'No evaluation set is configured: set knowledge.eval.set (BRUNO_EVAL_SET) to a JSON Lines file of labelled queries');
    let text: string;
    try {
      text = await readText(path);
    } catch (err) {
      throw new BrunoError('invalid_request', `The evaluation set ${basename(path)} could not be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return { queries: parseEvalQueries(text, basename(path)).slice(0, 1000), set: basename(path) };
  };

  const run: EvalRunner['run'] = async (given, trigger, options = {}) => {
    const input = given.queries ? { ...given, queries: given.queries } : { ...given, ...(await configuredSet()) };
    const report = await runEval(
      deps.knowledge,
      input.queries.map((q, i) => ({ query: q.query, relevant: q.relevant, line: q.line ?? i + 1 })),
      {
        ...(input.k ? { depth: input.k } : {}),
        ...(input.fusion ? { fusion: input.fusion } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onQuery ? { onQuery: options.onQuery } : {}),
      },
    );
    const kept = runFromReport(report, evalSetName(input.set), trigger, now());
    recordEvalRun(deps.gauges, kept);
    // Keeping it is bookkeeping: a full disk loses the history line, not the report.
    await history.append(kept).catch((err: unknown) => deps.log('warn', 'could not keep the evaluation result', { error: (err as Error).message }));
    await compareToBaseline(kept);
    deps.log('info', 'retrieval evaluation done', {
      component: 'rag_eval',
      set: kept.set,
      trigger,
      embedding_version: kept.embeddingVersion,
      queries: kept.queries,
      ...Object.fromEntries(kept.modes.map((m) => [`mrr_${m.mode}`, Math.round(m.mrr * 1000) / 1000])),
    });
    return report;
  };

  const runSetOnce = async (trigger: KbEvalTrigger): Promise<KbEvalRun | null> => {
    const path = deps.settings().set;
    if (!path) return null;
    try {
      await run({}, trigger, { signal: controller.signal });
      const runs = await history.list();
      return runs.at(-1) ?? null;
    } catch (err) {
      if (!controller.signal.aborted) deps.log('warn', 'the configured evaluation set could not run', { component: 'rag_eval', set: basename(path), trigger, error: (err as Error).message });
      return null;
    }
  };

  // One configured run at a time; triggers during a run coalesce into one more run after it.
  const runConfigured: EvalRunner['runConfigured'] = (trigger) => {
    if (configured) {
      again = true;
      return configured;
    }
    configured = runSetOnce(trigger).finally(() => {
      configured = null;
      if (again && !controller.signal.aborted) {
        again = false;
        void runConfigured(trigger);
      }
    });
    return configured;
  };

  const timer = deps.background && deps.intervalHours > 0 ? scheduleEvery(deps.intervalHours * 3_600_000, () => void runConfigured('schedule'), () => now().getTime(), deps.setTimer) : null;

  return {
    run,
    runConfigured,
    afterIngest() {
      if (deps.background && deps.settings().afterIngest && deps.settings().set) void runConfigured('after-ingest');
    },
    history: () => history.list(),
    async restore() {
      const latest = new Map<string, KbEvalRun>();
      const earliest = new Map<string, KbEvalRun>();
      for (const r of await history.list()) {
        latest.set(r.set, r);
        if (!earliest.has(r.set)) earliest.set(r.set, r);
      }
      // Oldest first, so the quality gauges end with the most recent run of any set.
      for (const r of [...latest.values()].sort((a, b) => a.at.localeCompare(b.at))) {
        recordEvalRun(deps.gauges, r);
        // A history from before baselines were kept: its oldest run of the set becomes the baseline.
        await compareToBaseline(r, earliest.get(r.set));
      }
    },
    async stop() {
      timer?.cancel();
      controller.abort();
      await configured?.catch(() => null);
    },
  };
}
