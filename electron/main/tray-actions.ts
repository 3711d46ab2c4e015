/**
 * What each tray (and notification) action does. Plain module: the window, the renderer, the
 * system browser and the export switch come in as functions, so tests check the decisions:
 * which URL opens, when the app's own view is shown instead, what is logged.
 */
import type { AppCommand } from '../../core/common/app-commands';
import { normalizeTraceId } from '../../core/common/links';
import { alertUrl, mainDashboardUrl, traceUrl, type LinkTargets } from './link-targets';
import type { Log } from './log';
import type { TrayController } from './tray-controller';
import type { TrayAction } from './tray-model';

/** What the shell needs from the core to pause the OTLP export (the core's Telemetry has it). */
export interface ExportControl {
  setExportPaused(paused: boolean): void | Promise<void>;
}

export interface TrayActionDeps {
  window: { toggle(): void; reveal(): void };
  /** Reveals the window and sends a command to the renderer. */
  sendCommand(command: AppCommand): void;
  /** `openExternalIfAllowed` bound to the configured origins; false when refused. */
  openExternal(url: string): boolean;
  /** The targets as configured now (Grafana's settings apply live). */
  links: () => LinkTargets;
  state: Pick<TrayController, 'lastTraceId' | 'alert' | 'setExportPaused'>;
  exportControl: ExportControl;
  quit(): void;
  log: Log;
}

export function createTrayActionHandler(deps: TrayActionDeps): (action: TrayAction) => void {
  const { log } = deps;

  const openOr = (url: string | null, fallback: () => void) => {
    if (url && deps.openExternal(url)) return;
    fallback();
  };

  return (action) => {
    switch (action.type) {
      case 'toggle-window':
        deps.window.toggle();
        return;
      case 'new-chat':
        deps.sendCommand({ type: 'new-chat' });
        return;
      case 'open-dashboard':
        openOr(mainDashboardUrl(deps.links()), () => {
          log('tray: no Grafana dashboard to open (set grafana.url and a dashboard uid)');
          deps.window.reveal();
        });
        return;
      case 'open-trace': {
        const traceId = normalizeTraceId(action.traceId) ?? deps.state.lastTraceId();
        if (!traceId) {
          deps.window.reveal();
          return;
        }
        // Without Grafana (or with its link refused) the app's own trace view shows the spans.
        openOr(traceUrl(deps.links(), traceId), () => deps.sendCommand({ type: 'show-trace', traceId }));
        return;
      }
      case 'open-alert': {
        const alert = deps.state.alert(action.alertId);
        openOr(alert ? alertUrl(deps.links(), alert) : null, () => deps.sendCommand({ type: 'show-alerts' }));
        return;
      }
      case 'show-alerts':
        deps.sendCommand({ type: 'show-alerts' });
        return;
      case 'set-export-paused': {
        const control = deps.exportControl;
        const paused = action.paused;
        Promise.resolve()
          .then(() => control.setExportPaused(paused))
          .then(() => deps.state.setExportPaused(paused))
          .catch((err: unknown) => log('tray: could not change the telemetry export', { paused, error: err instanceof Error ? err.message : String(err) }));
        return;
      }
      case 'quit':
        deps.quit();
        return;
    }
  };
}
