export { createCore, type CoreDeps } from './create-core';
export type { Core } from './core';
export { appVersion } from './app-version';
