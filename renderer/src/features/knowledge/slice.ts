/** The knowledge base: its sources and the last ingestion job started or seen from this window. */
import type { ErrorInfo, IngestProgress, IngestSummary, KbProgressEvent, KbSource, SkippedFile } from '../../../../core/common';
import { slicePatcher, type LoadStatus, type SetState } from '../../shared/state';

declare module '../../shared/state' {
  interface AppState {
    kb: KbSlice;
  }
}

export interface KbJob {
  jobId: string;
  kind: 'ingest' | 'reingest';
  progress: IngestProgress | null;
  skipped: SkippedFile[];
  summary: IngestSummary | null;
  error: ErrorInfo | null;
}

export interface KbSlice {
  sources: KbSource[];
  status: LoadStatus;
  error: string | null;
  /** The last job started from this window (or seen on the event stream). */
  job: KbJob | null;
  /** An action (ingest, remove, re-ingest) failed to start. */
  actionError: string | null;
  loading(): void;
  loaded(sources: KbSource[]): void;
  failed(message: string): void;
  jobStarted(jobId: string, kind: KbJob['kind']): void;
  receive(event: KbProgressEvent): void;
  actionFailed(message: string | null): void;
}

export function createKbSlice(set: SetState): KbSlice {
  const patch = slicePatcher(set, 'kb');
  const newJob = (jobId: string, kind: KbJob['kind']): KbJob => ({ jobId, kind, progress: null, skipped: [], summary: null, error: null });
  return {
    sources: [],
    status: 'idle',
    error: null,
    job: null,
    actionError: null,
    loading: () => patch({ status: 'loading' }),
    loaded: (sources) => patch({ sources, status: 'ready', error: null }),
    failed: (message) => patch({ status: 'error', error: message }),
    jobStarted: (jobId, kind) =>
      // Events of the job can arrive before kb.ingest resolves: keep what they brought.
      patch((kb) => ({ job: kb.job?.jobId === jobId ? { ...kb.job, kind } : newJob(jobId, kind), actionError: null })),
    receive: (event) =>
      patch((kb) => {
        const job = kb.job?.jobId === event.jobId ? kb.job : newJob(event.jobId, 'ingest');
        // A job that already ended keeps its end (a late progress line cannot revive it).
        if ((job.summary || job.error) && event.type !== 'done' && event.type !== 'error') return {};
        switch (event.type) {
          case 'progress': {
            const { type: _type, ...progress } = event;
            return { job: { ...job, progress } };
          }
          case 'skipped':
            return { job: { ...job, skipped: job.skipped.length < 500 ? [...job.skipped, event.file] : job.skipped } };
          case 'done':
            return { job: { ...job, summary: event.summary, skipped: event.summary.skipped.length ? event.summary.skipped : job.skipped } };
          case 'error':
            return { job: { ...job, error: event.error } };
        }
      }),
    actionFailed: (message) => patch({ actionError: message }),
  };
}
