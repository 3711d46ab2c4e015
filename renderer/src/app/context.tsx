import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { AppState, AppStore } from '../store';
import type { Controller } from './controller';

interface AppContextValue {
  store: AppStore;
  controller: Controller;
}

const AppContext = createContext<AppContextValue | null>(null);

export function AppProvider({ store, controller, children }: AppContextValue & { children: ReactNode }) {
  return <AppContext.Provider value={{ store, controller }}>{children}</AppContext.Provider>;
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

export function useController(): Controller {
  return useAppContext().controller;
}

/** For event handlers that read state once without subscribing. */
export function useAppStore(): AppStore {
  return useAppContext().store;
}
