/** The knowledge base: its sources, ingesting (typed or picked paths), re-ingesting, removing, evaluating. */
import type { Bridge, KbProgressEvent } from '../../../../core/common';
import type { PickPaths } from '../../bridge';
import { latestWins, request } from '../../shared/latest';
import type { AppStore } from '../../shared/state';

declare module '../../shared/state' {
  interface AppActions extends KnowledgeActions {}
}

export interface KnowledgeActions {
  refreshKb(): Promise<void>;
  ingest(paths: string[]): Promise<void>;
  /** Whether a native open dialog is available (the desktop app). */
  readonly canPickPaths: boolean;
  /** Opens the native dialog and ingests what was chosen (nothing when cancelled). */
  pickAndIngest(kind: 'folders' | 'files'): Promise<void>;
  reingest(sourceId?: string): Promise<void>;
  removeSource(sourceId: string): Promise<void>;
  kbProgress(event: KbProgressEvent): void;
  /** The kept evaluation runs (kb.evalHistory). */
  refreshEvalHistory(): Promise<void>;
  /** Runs the configured evaluation set (kb.eval without queries), then re-reads the history. */
  runEvaluation(): Promise<void>;
}

export function createKnowledgeActions({ store, bridge, pickPaths }: { store: AppStore; bridge: Bridge; pickPaths?: PickPaths }): KnowledgeActions {
  const get = store.getState;
  const sourcesLane = latestWins();
  const historyLane = latestWins();
  const actionFailed = (message: string) => get().kb.actionFailed(message);

  const actions: KnowledgeActions = {
    async refreshKb() {
      void actions.refreshEvalHistory();
      get().kb.loading();
      await sourcesLane(() => bridge.invoke('kb.sources'), {
        done: (sources) => get().kb.loaded(sources),
        failed: (message) => get().kb.failed(message),
      });
    },

    canPickPaths: !!pickPaths,

    async pickAndIngest(kind) {
      if (!pickPaths) return;
      await request(() => pickPaths(kind), {
        done: (chosen) => (chosen.length ? actions.ingest(chosen) : undefined),
        failed: actionFailed,
      });
    },

    async ingest(paths) {
      const clean = paths.map((p) => p.trim()).filter(Boolean);
      if (!clean.length) return;
      await request(() => bridge.invoke('kb.ingest', { paths: clean }), {
        done: ({ jobId }) => get().kb.jobStarted(jobId, 'ingest'),
        failed: actionFailed,
      });
    },

    async reingest(sourceId) {
      await request(() => bridge.invoke('kb.reingest', sourceId ? { sourceId } : {}), {
        done: ({ jobId }) => get().kb.jobStarted(jobId, 'reingest'),
        failed: actionFailed,
      });
    },

    async removeSource(sourceId) {
      await request(() => bridge.invoke('kb.remove', { sourceId }), {
        done: async () => {
          get().kb.actionFailed(null);
          await actions.refreshKb();
        },
        failed: actionFailed,
      });
    },

    async refreshEvalHistory() {
      get().kbEval.loading();
      await historyLane(() => bridge.invoke('kb.evalHistory', { limit: 50 }), {
        done: (runs) => get().kbEval.loaded(runs),
        failed: (message) => get().kbEval.failed(message),
      });
    },

    async runEvaluation() {
      if (get().kbEval.running) return;
      get().kbEval.started();
      await request(() => bridge.invoke('kb.eval', {}), {
        done: async (report) => {
          get().kbEval.finished(report.unresolvedLabels.length);
          await actions.refreshEvalHistory();
        },
        failed: (message) => get().kbEval.runFailed(message),
      });
    },

    kbProgress(event) {
      get().kb.receive(event);
      if (event.type === 'done' || event.type === 'error') void actions.refreshKb();
    },
  };
  return actions;
}
