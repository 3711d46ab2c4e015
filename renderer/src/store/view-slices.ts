/**
 * Slices of the views beside the chat: conversations, alerts, the trace view, knowledge base,
 * memory, settings and which view is shown. Each holds what its view draws (low-rate data only:
 * live samples go to ring buffers, see live/live-metrics.ts) and setters the controller calls.
 */
import type { StoreApi } from 'zustand/vanilla';
import type {
  AlertsSlice,
  AppState,
  ConversationsSlice,
  KbJob,
  KbSlice,
  MemorySlice,
  SettingsSlice,
  TraceSlice,
  UiSlice,
} from './types';

type Set = StoreApi<AppState>['setState'];

type Key = 'conversations' | 'alerts' | 'trace' | 'kb' | 'memory' | 'settings' | 'ui';

function patcher<K extends Key>(set: Set, key: K) {
  return (patch: Partial<AppState[K]> | ((slice: AppState[K]) => Partial<AppState[K]>)) =>
    set((s) => ({ [key]: { ...s[key], ...(typeof patch === 'function' ? patch(s[key]) : patch) } }) as Partial<AppState>);
}

export function createConversationsSlice(set: Set): ConversationsSlice {
  const patch = patcher(set, 'conversations');
  return {
    list: [],
    query: '',
    status: 'idle',
    error: null,
    setQuery: (query) => patch({ query }),
    loading: () => patch({ status: 'loading' }),
    loaded: (list) => patch({ list, status: 'ready', error: null }),
    failed: (message) => patch({ status: 'error', error: message }),
    renamed: (summary) => patch((c) => ({ list: c.list.map((x) => (x.id === summary.id ? summary : x)) })),
    removed: (id) => patch((c) => ({ list: c.list.filter((x) => x.id !== id) })),
  };
}

export function createAlertsSlice(set: Set): AlertsSlice {
  const patch = patcher(set, 'alerts');
  return {
    state: null,
    error: null,
    update: (state) => patch({ state, error: null }),
    failed: (message) => patch({ error: message }),
  };
}

export function createTraceSlice(set: Set): TraceSlice {
  const patch = patcher(set, 'trace');
  return {
    traceId: null,
    spans: [],
    status: 'idle',
    error: null,
    loading: (traceId) => patch({ traceId, spans: [], status: 'loading', error: null }),
    // A late answer for a trace the user has moved away from is dropped.
    loaded: (traceId, spans) => patch((t) => (t.traceId === traceId ? { spans, status: 'ready', error: null } : {})),
    failed: (traceId, message) => patch((t) => (t.traceId === traceId ? { status: 'error', error: message } : {})),
  };
}

export function createKbSlice(set: Set): KbSlice {
  const patch = patcher(set, 'kb');
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

export function createMemorySlice(set: Set): MemorySlice {
  const patch = patcher(set, 'memory');
  return {
    entries: [],
    query: '',
    filter: 'all',
    status: 'idle',
    error: null,
    info: null,
    setQuery: (query) => patch({ query }),
    setFilter: (filter) => patch({ filter }),
    loading: () => patch({ status: 'loading' }),
    loaded: (entries) => patch({ entries, status: 'ready', error: null }),
    failed: (message) => patch({ status: 'error', error: message }),
    removed: (id) => patch((m) => ({ entries: m.entries.filter((e) => e.id !== id) })),
    statusLoaded: (info) => patch({ info }),
  };
}

export function createSettingsSlice(set: Set): SettingsSlice {
  const patch = patcher(set, 'settings');
  return {
    view: null,
    status: 'idle',
    error: null,
    saving: false,
    result: null,
    saveError: null,
    tests: {},
    loading: () => patch({ status: 'loading' }),
    loaded: (view) => patch({ view, status: 'ready', error: null }),
    failed: (message) => patch({ status: 'error', error: message }),
    saveStarted: () => patch({ saving: true, saveError: null }),
    saved: (result) => patch({ saving: false, result, saveError: null }),
    saveFailed: (message) => patch({ saving: false, saveError: message }),
    testStarted: (target) => patch((s) => ({ tests: { ...s.tests, [target]: { status: 'running', result: null, error: null } } })),
    testDone: (target, result) => patch((s) => ({ tests: { ...s.tests, [target]: { status: 'done', result, error: null } } })),
    testFailed: (target, message) => patch((s) => ({ tests: { ...s.tests, [target]: { status: 'error', result: null, error: message } } })),
  };
}

export function createUiSlice(set: Set): UiSlice {
  const patch = patcher(set, 'ui');
  return {
    view: 'chat',
    setView: (view) => patch({ view }),
  };
}
