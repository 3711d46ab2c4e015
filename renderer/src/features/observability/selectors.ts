import type { AppState } from '../../shared/state';

export const selectAlertsState = (s: AppState) => s.alerts.state;
export const selectAlertsError = (s: AppState) => s.alerts.error;
export const selectFiringCount = (s: AppState) => s.alerts.state?.alerts.filter((a) => a.state === 'firing').length ?? 0;

export const selectTrace = (s: AppState) => s.trace;

export const selectHealth = (s: AppState) => s.health.state;
