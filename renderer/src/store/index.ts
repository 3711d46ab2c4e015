export { createAppStore, type AppStore, type AppStoreOptions } from './create-store';
export * from './selectors';
export type * from './types';
export { viewNames } from './types';
