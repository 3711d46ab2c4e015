/**
 * The shape of the one store and of the actions the views call, as two interfaces that each
 * feature extends from its own folder (TypeScript module augmentation):
 *
 *   // features/<view>/slice.ts
 *   declare module '../../shared/state' { interface AppState { kb: KbSlice } }
 *   // features/<view>/actions.ts
 *   declare module '../../shared/state' { interface AppActions extends KnowledgeActions {} }
 *
 * So a feature owns its slice and actions in one place, shared/ knows no feature (imports point
 * features -> shared only, no circle), and `useApp`/`useActions` are still fully typed: the
 * compiler sees every feature's addition. app/ composes the values (app/store.ts, app/controller.ts).
 */
import type { StoreApi } from 'zustand/vanilla';
import type { Unsubscribe } from '../../../core/common';
import type { ConnectionState } from '../bridge/connection';
import type { LiveMetrics } from './live/live-metrics';

export interface ConnectionSlice extends ConnectionState {
  update(state: ConnectionState): void;
}

export const viewNames = ['chat', 'observability', 'knowledge', 'memory', 'settings'] as const;
export type ViewName = (typeof viewNames)[number];

export interface UiSlice {
  view: ViewName;
  setView(view: ViewName): void;
}

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** Every slice of the store. Features add theirs (see above); these two are app-wide. */
export interface AppState {
  connection: ConnectionSlice;
  ui: UiSlice;
}

/** Everything a view can ask for. Features add their actions (see above). */
export interface AppActions {
  /** Live samples for gauges and charts (ring buffers, outside React state). */
  readonly live: LiveMetrics;
  /** Subscribes to events and connection changes and loads the first data; returns the undo. */
  start(): Unsubscribe;
}

export type AppStore = StoreApi<AppState>;
export type SetState = AppStore['setState'];
export type GetState = AppStore['getState'];

type SliceKey = keyof AppState;

/** Shallow-merges a patch (or a function of the current slice) into one slice of the store. */
export function slicePatcher<K extends SliceKey>(set: SetState, key: K) {
  return (patch: Partial<AppState[K]> | ((slice: AppState[K]) => Partial<AppState[K]>)) =>
    set((s) => ({ [key]: { ...s[key], ...(typeof patch === 'function' ? patch(s[key]) : patch) } }) as Partial<AppState>);
}

export function createConnectionSlice(set: SetState, initial: ConnectionState): ConnectionSlice {
  return {
    ...initial,
    update: ({ status, detail, retryInMs }) => set((s) => ({ connection: { ...s.connection, status, detail, retryInMs } })),
  };
}

export function createUiSlice(set: SetState): UiSlice {
  const patch = slicePatcher(set, 'ui');
  return {
    view: 'chat',
    setView: (view) => patch({ view }),
  };
}

export const selectConnectionStatus = (s: AppState) => s.connection.status;
export const selectConnectionDetail = (s: AppState) => s.connection.detail;
export const selectConnectionRetryMs = (s: AppState) => s.connection.retryInMs;
export const selectView = (s: AppState) => s.ui.view;
export const selectSetView = (s: AppState) => s.ui.setView;
