import type { AppState } from '../../shared/state';

export const selectKbSources = (s: AppState) => s.kb.sources;
export const selectKbStatus = (s: AppState) => s.kb.status;
export const selectKbError = (s: AppState) => s.kb.error;
export const selectKbJob = (s: AppState) => s.kb.job;
export const selectKbActionError = (s: AppState) => s.kb.actionError;
/** A job is running when it has started and has neither a summary nor an error. */
export const selectKbBusy = (s: AppState) => !!s.kb.job && !s.kb.job.summary && !s.kb.job.error;

export const selectEvalRuns = (s: AppState) => s.kbEval.runs;
export const selectEvalStatus = (s: AppState) => s.kbEval.status;
export const selectEvalError = (s: AppState) => s.kbEval.error;
export const selectEvalRunning = (s: AppState) => s.kbEval.running;
export const selectEvalRunError = (s: AppState) => s.kbEval.runError;
export const selectEvalUnresolved = (s: AppState) => s.kbEval.unresolvedLabels;
export const selectSettingsLoaded = (s: AppState) => s.settings.view !== null;
/** The configured evaluation set (settings knowledge.eval.set), or null when none is. */
export const selectEvalSetPath = (s: AppState): string | null => {
  const knowledge = s.settings.view?.values.knowledge;
  const set = knowledge && typeof knowledge === 'object' ? (knowledge as { eval?: { set?: unknown } }).eval?.set : undefined;
  return typeof set === 'string' && set.trim() ? set : null;
};
