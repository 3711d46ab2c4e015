/**
 * What the tray shows, as plain data: health + alerts + the last turn in, icon + tooltip + menu
 * out. No Electron here; tray-controller.ts applies the model to a real (or fake) tray.
 */
import { severityRank, type AlertInfo, type AlertSeverity, type AlertsState } from '../../core/common/alerts';
import type { HealthState } from '../../core/common/health';

/** One icon per state, each a different shape (resources/icons/tray, scripts/make-icons.mjs). */
export const trayIcons = ['unknown', 'healthy', 'degraded', 'down', 'alerting-warning', 'alerting-critical'] as const;
export type TrayIcon = (typeof trayIcons)[number];

export type TrayAction =
  | { type: 'toggle-window' }
  | { type: 'new-chat' }
  | { type: 'open-dashboard' }
  | { type: 'open-trace'; traceId: string }
  | { type: 'open-alert'; alertId: string }
  | { type: 'show-alerts' }
  | { type: 'set-export-paused'; paused: boolean }
  | { type: 'quit' };

export type TrayMenuItem =
  | { kind: 'action'; id: string; label: string; enabled: boolean; action: TrayAction }
  | { kind: 'submenu'; id: string; label: string; enabled: boolean; items: TrayMenuItem[] }
  | { kind: 'separator' };

export interface TrayModel {
  icon: TrayIcon;
  tooltip: string;
  menu: TrayMenuItem[];
}

/** The last finished turn, from its final sample or its `done` stats. */
export interface LastTurn {
  model: string;
  tokensPerSecond: number | null;
  ttftS: number | null;
  traceId: string | null;
}

export interface TrayInput {
  /** null until the first probe answered. */
  health: HealthState | null;
  alerts: AlertsState | null;
  lastTurn: LastTurn | null;
  windowVisible: boolean;
  /** Export paused through the tray (the health state may say so too). */
  exportPaused: boolean;
  /** False when the core offers no way to pause the export. */
  canPauseExport: boolean;
  grafanaConfigured: boolean;
  dashboardConfigured: boolean;
  /** Shown in the tooltip before any turn ran. */
  defaultModel?: string | null;
  /** A finished turn slower than this (tokens/s) counts as degraded; null/undefined = never. */
  slowTokensPerSecond?: number | null;
}

/** Windows truncates tray tooltips at 127 characters; the other platforms take that too. */
export const maxTooltipLength = 127;
/** Alerts listed in the submenu before "More…". */
export const maxAlertItems = 15;

export function buildTrayModel(input: TrayInput): TrayModel {
  const firing = firingAlerts(input);
  const level = alertLevel(firing);
  const degradedReasons = degradedReasonsOf(input);
  const down = input.health !== null && (!input.health.ollama.reachable || input.health.status === 'down');

  let icon: TrayIcon;
  let status: string;
  if (down) {
    icon = 'down';
    status = 'Ollama unreachable';
  } else if (level) {
    icon = level === 'critical' ? 'alerting-critical' : 'alerting-warning';
    status = `${firing.count} alert${firing.count === 1 ? '' : 's'} firing (${firing.worst ?? 'no severity'})`;
  } else if (input.health === null) {
    icon = 'unknown';
    status = 'checking…';
  } else if (degradedReasons.length > 0) {
    icon = 'degraded';
    status = `degraded: ${degradedReasons.join(', ')}`;
  } else {
    icon = 'healthy';
    status = 'healthy';
  }

  return { icon, tooltip: tooltipOf(input, status, firing.count), menu: menuOf(input, firing.count) };
}

// ---------------------------------------------------------------------------------------------

interface FiringSummary {
  count: number;
  /** Most severe severity among the firing alerts (null when none has one). */
  worst: AlertSeverity | null;
  severities: (AlertSeverity | null)[];
}

/** From the alert list when there is one, else from the counters in the health state. */
function firingAlerts(input: TrayInput): FiringSummary {
  if (input.alerts) {
    const firing = input.alerts.alerts.filter((a) => a.state === 'firing');
    const severities = firing.map((a) => a.severity);
    return { count: firing.length, worst: worstOf(severities), severities };
  }
  const counters = input.health?.alerts;
  if (!counters || counters.firing <= 0) return { count: 0, worst: null, severities: [] };
  return { count: counters.firing, worst: counters.highestSeverity, severities: [counters.highestSeverity] };
}

function worstOf(severities: (AlertSeverity | null)[]): AlertSeverity | null {
  let worst: AlertSeverity | null = null;
  for (const s of severities) if (s !== null && severityRank(s) < severityRank(worst)) worst = s;
  return worst;
}

/**
 * critical/high -> critical; warning/medium/low or no severity -> warning. `info` alerts are
 * listed in the menu but do not colour the tray: by convention they need no action.
 */
function alertLevel(firing: FiringSummary): 'critical' | 'warning' | null {
  if (firing.severities.some((s) => s === 'critical' || s === 'high')) return 'critical';
  if (firing.severities.some((s) => s !== 'info')) return 'warning';
  return null;
}

function degradedReasonsOf(input: TrayInput): string[] {
  const h = input.health;
  if (!h) return [];
  const reasons: string[] = [];
  if (h.export.status === 'failing') reasons.push('OTLP export failing');
  if (h.prometheus && !h.prometheus.reachable) reasons.push('Prometheus unreachable');
  if (h.alertmanager && !h.alertmanager.reachable) reasons.push('Alertmanager unreachable');
  const slow = input.slowTokensPerSecond;
  const tps = input.lastTurn?.tokensPerSecond;
  if (slow != null && tps != null && tps < slow) reasons.push(`slow (${formatRate(tps)})`);
  if (reasons.length === 0 && h.status === 'degraded') reasons.push('see the app');
  return reasons;
}

function tooltipOf(input: TrayInput, status: string, firingCount: number): string {
  const model = input.lastTurn?.model ?? input.health?.ollama.loadedModels[0] ?? input.defaultModel ?? null;
  const lines = [`Agent Bruno: ${status}`, `Alerts firing: ${firingCount}`];
  if (model) lines.push(`Model: ${model}`);
  const t = input.lastTurn;
  if (t && (t.tokensPerSecond !== null || t.ttftS !== null)) {
    const parts = [t.tokensPerSecond !== null ? formatRate(t.tokensPerSecond) : null, t.ttftS !== null ? `TTFT ${formatSeconds(t.ttftS)}` : null];
    lines.push(`Last: ${parts.filter(Boolean).join(', ')}`);
  }
  if (input.exportPaused || input.health?.export.status === 'paused') lines.push('Telemetry export paused');
  return fitTooltip(lines);
}

/** Each line at most 48 characters; lines dropped from the end (never the first) until it fits. */
export function fitTooltip(lines: string[], max = maxTooltipLength): string {
  const clipped = lines.map((l) => clip(l, 48));
  while (clipped.length > 1 && clipped.join('\n').length > max) clipped.pop();
  return clip(clipped.join('\n'), max);
}

export function formatRate(tokensPerSecond: number): string {
  return `${tokensPerSecond >= 100 ? tokensPerSecond.toFixed(0) : tokensPerSecond.toFixed(1)} tok/s`;
}

export function formatSeconds(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

// ---------------------------------------------------------------------------------------------

function menuOf(input: TrayInput, firingCount: number): TrayMenuItem[] {
  const traceId = input.lastTurn?.traceId ?? null;
  const exportOff = input.health?.export.status === 'off' && !input.exportPaused;
  const paused = input.exportPaused || input.health?.export.status === 'paused';

  const dashboardLabel = !input.grafanaConfigured
    ? 'Open Grafana dashboard (Grafana not configured)'
    : !input.dashboardConfigured
      ? 'Open Grafana dashboard (no dashboard configured)'
      : 'Open Grafana dashboard';
  const traceLabel = traceId === null ? 'Open last trace (none yet)' : input.grafanaConfigured ? 'Open last trace in Grafana' : 'Show last trace';
  const exportLabel = !input.canPauseExport
    ? 'Pause telemetry export (not available)'
    : exportOff
      ? 'Telemetry export is off'
      : paused
        ? 'Resume telemetry export'
        : 'Pause telemetry export';

  return [
    action('toggle-window', input.windowVisible ? 'Hide Agent Bruno' : 'Show Agent Bruno', true, { type: 'toggle-window' }),
    action('new-chat', 'New chat', true, { type: 'new-chat' }),
    { kind: 'separator' },
    action('open-dashboard', dashboardLabel, input.grafanaConfigured && input.dashboardConfigured, { type: 'open-dashboard' }),
    traceId === null
      ? action('open-trace', traceLabel, false, { type: 'open-trace', traceId: '' })
      : action('open-trace', traceLabel, true, { type: 'open-trace', traceId }),
    { kind: 'submenu', id: 'alerts', label: `Alerts (${firingCount})`, enabled: true, items: alertItems(input.alerts) },
    { kind: 'separator' },
    action('export', exportLabel, input.canPauseExport && !exportOff, { type: 'set-export-paused', paused: !paused }),
    { kind: 'separator' },
    action('quit', 'Quit Agent Bruno', true, { type: 'quit' }),
  ];
}

function action(id: string, label: string, enabled: boolean, act: TrayAction): TrayMenuItem {
  return { kind: 'action', id, label, enabled, action: act };
}

/** Firing first, most severe first, then pending; each opens the alert. */
function alertItems(state: TrayInput['alerts']): TrayMenuItem[] {
  const alerts = [...(state?.alerts ?? [])].sort(
    (a, b) =>
      Number(b.state === 'firing') - Number(a.state === 'firing') ||
      severityRank(a.severity) - severityRank(b.severity) ||
      a.name.localeCompare(b.name) ||
      a.id.localeCompare(b.id),
  );
  if (alerts.length === 0) {
    return [action('alerts:none', 'No firing or pending alerts', false, { type: 'show-alerts' }), { kind: 'separator' }, showAll()];
  }
  const items: TrayMenuItem[] = alerts.slice(0, maxAlertItems).map((a) => action(`alert:${a.id}`, alertLabel(a), true, { type: 'open-alert', alertId: a.id }));
  if (alerts.length > maxAlertItems) {
    items.push(action('alerts:more', `More… (${alerts.length - maxAlertItems})`, true, { type: 'show-alerts' }));
  }
  items.push({ kind: 'separator' }, showAll());
  return items;
}

function showAll(): TrayMenuItem {
  return action('alerts:all', 'Show alerts in Agent Bruno', true, { type: 'show-alerts' });
}

export function alertLabel(alert: AlertInfo): string {
  const severity = alert.severity ? `[${alert.severity}] ` : '';
  const summary = alert.summary ? `: ${alert.summary}` : '';
  const pending = alert.state === 'pending' ? ' (pending)' : '';
  return clip(`${severity}${alert.name}${summary}`, 72) + pending;
}
