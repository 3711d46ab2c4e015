import type { AppState } from '../../shared/state';

export const selectModelList = (s: AppState) => s.models.list;
export const selectSelectedModel = (s: AppState) => s.models.selected;
export const selectModelsStatus = (s: AppState) => s.models.status;
export const selectModelsError = (s: AppState) => s.models.error;
export const selectSelectModel = (s: AppState) => s.models.select;

/** The model the next turn uses: the picked one, else the configured default. */
export const selectCurrentModel = (s: AppState): string | null => s.models.selected ?? s.models.list.find((m) => m.isDefault)?.name ?? null;
export const selectCurrentModelInfo = (s: AppState) => {
  const name = selectCurrentModel(s);
  return name ? (s.models.list.find((m) => m.name === name) ?? null) : null;
};
