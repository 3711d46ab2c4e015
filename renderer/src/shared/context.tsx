/**
 * How components reach the store and the actions: `useApp(selector)` subscribes to one selector,
 * `useActions()` gives what a click can do. The values are composed in app/ (main.tsx); the
 * types come from shared/state.ts, which every feature extends.
 */
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { AppActions, AppState, AppStore } from './state';

interface AppContextValue {
  store: AppStore;
  actions: AppActions;
}

const AppContext = createContext<AppContextValue | null>(null);

export function AppProvider({ store, actions, children }: AppContextValue & { children: ReactNode }) {
  return <AppContext.Provider value={{ store, actions }}>{children}</AppContext.Provider>;
}

function useAppContext(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('AppProvider is missing');
  return value;
}

/** Subscribes to one selector of the store; re-renders only when its result changes. */
export function useApp<T>(selector: (state: AppState) => T): T {
  return useStore(useAppContext().store, selector);
}

export function useActions(): AppActions {
  return useAppContext().actions;
}

/** For event handlers that read state once without subscribing. */
export function useAppStore(): AppStore {
  return useAppContext().store;
}
