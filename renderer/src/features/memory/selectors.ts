import type { AppState } from '../../shared/state';

export const selectMemory = (s: AppState) => s.memory;
