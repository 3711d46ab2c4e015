import type { AppState } from '../../shared/state';

export const selectKbSources = (s: AppState) => s.kb.sources;
export const selectKbStatus = (s: AppState) => s.kb.status;
export const selectKbError = (s: AppState) => s.kb.error;
export const selectKbJob = (s: AppState) => s.kb.job;
export const selectKbActionError = (s: AppState) => s.kb.actionError;
/** A job is running when it has started and has neither a summary nor an error. */
export const selectKbBusy = (s: AppState) => !!s.kb.job && !s.kb.job.summary && !s.kb.job.error;
