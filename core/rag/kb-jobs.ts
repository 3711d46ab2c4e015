/**
 * The job queue of a knowledge base: store-changing work runs one at a time, in order; jobs the
 * contract starts get an id, can be cancelled, and report through `kb.progress` events.
 */
import { randomUUID } from 'node:crypto';
import { BrunoError, toErrorInfo } from '../common/errors';
import type { IngestSummary, KbProgressEvent } from '../common/knowledge';
import { safely } from '../telemetry/safely';
import type { IngestOptions, KbContext } from './kb-types';

export interface KbJobs {
  /** Runs work after everything queued before it (a failure does not stop the queue). */
  enqueue<T>(work: () => Promise<T>): Promise<T>;
  /** Starts a job in the background and answers its id at once. */
  start(run: (options: IngestOptions) => Promise<IngestSummary>): { jobId: string };
  cancel(jobId: string): boolean;
  /** Resolves when the queue is empty. */
  drained(): Promise<unknown>;
}

export function createKbJobs(ctx: KbContext): KbJobs {
  const { deps, log } = ctx;
  let queue: Promise<unknown> = Promise.resolve();
  const running = new Map<string, AbortController>();

  function enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  }

  function start(run: (options: IngestOptions) => Promise<IngestSummary>): { jobId: string } {
    const jobId = randomUUID();
    const controller = new AbortController();
    running.set(jobId, controller);
    const emit = (event: KbProgressEvent) => safely(deps.report, () => deps.emit?.(event));
    run({ jobId, signal: controller.signal, onProgress: (p) => emit({ type: 'progress', ...p }), onSkipped: (file) => emit({ type: 'skipped', jobId, file }) })
      .then(
        (summary) => emit({ type: 'done', jobId, summary }),
        (err: unknown) => {
          log.warn('ingestion failed', { jobId, error: err instanceof Error ? err.message : String(err) });
          emit({ type: 'error', jobId, error: toErrorInfo(err) });
        },
      )
      .finally(() => running.delete(jobId));
    return { jobId };
  }

  return {
    enqueue,
    start,
    cancel(jobId) {
      const job = running.get(jobId);
      job?.abort(new BrunoError('cancelled', 'Ingestion stopped; the files written before it stopped stay in the knowledge base'));
      return !!job;
    },
    drained: () => queue,
  };
}
