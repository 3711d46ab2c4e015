/** Retrieval evaluation in the Knowledge view: the kept runs (kb.evalHistory) and a run started here. */
import type { KbEvalRun } from '../../../../core/common';
import { slicePatcher, type LoadStatus, type SetState } from '../../shared/state';

declare module '../../shared/state' {
  interface AppState {
    kbEval: KbEvalSlice;
  }
}

export interface KbEvalSlice {
  /** Oldest first, as kb.evalHistory lists them. */
  runs: KbEvalRun[];
  status: LoadStatus;
  /** The history could not be read. */
  error: string | null;
  /** An evaluation started from this window is running. */
  running: boolean;
  /** The last evaluation started here failed (the core's message). */
  runError: string | null;
  /** Labels of the last run started here that name no ingested file. */
  unresolvedLabels: number;
  loading(): void;
  loaded(runs: KbEvalRun[]): void;
  failed(message: string): void;
  started(): void;
  finished(unresolvedLabels: number): void;
  runFailed(message: string): void;
}

export function createKbEvalSlice(set: SetState): KbEvalSlice {
  const patch = slicePatcher(set, 'kbEval');
  return {
    runs: [],
    status: 'idle',
    error: null,
    running: false,
    runError: null,
    unresolvedLabels: 0,
    loading: () => patch((s) => ({ status: s.status === 'ready' ? 'ready' : 'loading' })),
    loaded: (runs) => patch({ runs, status: 'ready', error: null }),
    failed: (message) => patch({ status: 'error', error: message }),
    started: () => patch({ running: true, runError: null }),
    finished: (unresolvedLabels) => patch({ running: false, runError: null, unresolvedLabels }),
    runFailed: (message) => patch({ running: false, runError: message }),
  };
}
