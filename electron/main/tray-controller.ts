/**
 * Keeps the tray in step with the core: holds the latest health, alerts and last turn, rebuilds
 * the model on each change and touches the real tray only for the parts that changed (a context
 * menu rebuilt on every health poll flickers on Linux and closes an open menu on Windows).
 * The tray, its images and menus come in through the small interfaces below.
 */
import type { AlertInfo, AlertsState } from '../../core/common/alerts';
import type { HealthState } from '../../core/common/health';
import type { TurnSample } from '../../core/common/telemetry';
import type { TurnStats } from '../../core/common/turn';
import { normalizeTraceId } from '../../core/common/links';
import { buildTrayModel, type LastTurn, type TrayAction, type TrayIcon, type TrayInput, type TrayMenuItem, type TrayModel } from './tray-model';

/** Electron's MenuItemConstructorOptions, the part used here. */
export interface MenuTemplateItem {
  id?: string;
  label?: string;
  type?: 'normal' | 'separator' | 'submenu';
  enabled?: boolean;
  submenu?: MenuTemplateItem[];
  click?: () => void;
}

/** Electron's Tray, the part used here. */
export interface TrayLike<Image, Menu> {
  setImage(image: Image): void;
  setToolTip(toolTip: string): void;
  setContextMenu(menu: Menu | null): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface TrayControllerDeps<Image, Menu> {
  tray: TrayLike<Image, Menu>;
  /** The image of an icon state (a NativeImage with its @2x, or a path). */
  image: (icon: TrayIcon) => Image;
  /** `Menu.buildFromTemplate`. */
  buildMenu: (template: MenuTemplateItem[]) => Menu;
  dispatch: (action: TrayAction) => void;
  /** Windows and Linux read `&` in labels as a mnemonic marker; macOS does not. */
  platform: NodeJS.Platform;
  /** The fixed parts of the input (what is configured). */
  options: Pick<TrayInput, 'canPauseExport' | 'grafanaConfigured' | 'dashboardConfigured' | 'defaultModel' | 'slowTokensPerSecond'>;
}

export interface TrayController {
  setHealth(health: HealthState): void;
  setAlerts(alerts: AlertsState): void;
  /** Only final samples count: the tray shows the last turn, not the one streaming. */
  setSample(sample: TurnSample): void;
  /** A finished turn's stats (server-truth tokens/s and the trace id). */
  setTurnDone(stats: TurnStats): void;
  setWindowVisible(visible: boolean): void;
  setExportPaused(paused: boolean): void;
  /** What is configured changed (the default model, Grafana links): the settings apply live. */
  setOptions(options: Partial<TrayControllerDeps<unknown, unknown>['options']>): void;
  input(): Readonly<TrayInput>;
  model(): TrayModel;
  lastTraceId(): string | null;
  alert(id: string): AlertInfo | null;
  destroy(): void;
}

export function createTrayController<Image, Menu>(deps: TrayControllerDeps<Image, Menu>): TrayController {
  const { tray } = deps;
  let input: TrayInput = {
    health: null,
    alerts: null,
    lastTurn: null,
    windowVisible: false,
    exportPaused: false,
    ...deps.options,
  };
  const applied: { icon: TrayIcon | null; tooltip: string | null; menuKey: string | null } = { icon: null, tooltip: null, menuKey: null };
  let current: TrayModel = buildTrayModel(input);
  let destroyed = false;

  const apply = () => {
    if (destroyed) return;
    current = buildTrayModel(input);
    if (current.icon !== applied.icon) {
      tray.setImage(deps.image(current.icon));
      applied.icon = current.icon;
    }
    if (current.tooltip !== applied.tooltip) {
      tray.setToolTip(current.tooltip);
      applied.tooltip = current.tooltip;
    }
    const menuKey = JSON.stringify(current.menu);
    if (menuKey !== applied.menuKey) {
      tray.setContextMenu(deps.buildMenu(toTemplate(current.menu, deps.dispatch, deps.platform)));
      applied.menuKey = menuKey;
    }
  };
  const update = (patch: Partial<TrayInput>) => {
    input = { ...input, ...patch };
    apply();
  };

  // Windows (and Linux panels that report clicks): a click shows/hides the window. On macOS a
  // click opens the menu; toggling the window as well would fight it.
  if (deps.platform !== 'darwin') tray.on('click', () => deps.dispatch({ type: 'toggle-window' }));
  apply();

  const setLastTurn = (turn: LastTurn) => update({ lastTurn: turn });

  return {
    setHealth: (health) => update({ health }),
    setAlerts: (alerts) => update({ alerts }),
    setSample(sample) {
      if (!sample.final) return;
      setLastTurn({
        model: sample.model,
        tokensPerSecond: sample.tokensPerSecond,
        ttftS: sample.ttftS,
        // The final sample comes before the `done` event: keep the trace id of the same turn if known.
        traceId: input.lastTurn?.traceId ?? null,
      });
    },
    setTurnDone(stats) {
      setLastTurn({
        model: stats.model,
        tokensPerSecond: stats.tokens_per_second ?? input.lastTurn?.tokensPerSecond ?? null,
        ttftS: stats.ttft_s ?? input.lastTurn?.ttftS ?? null,
        traceId: normalizeTraceId(stats.trace_id) ?? input.lastTurn?.traceId ?? null,
      });
    },
    setWindowVisible: (windowVisible) => update({ windowVisible }),
    setExportPaused: (exportPaused) => update({ exportPaused }),
    setOptions: (options) => update(options),
    input: () => input,
    model: () => current,
    lastTraceId: () => input.lastTurn?.traceId ?? null,
    alert: (id) => input.alerts?.alerts.find((a) => a.id === id) ?? null,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      tray.destroy();
    },
  };
}

/** The model as Electron's menu template; clicks dispatch the item's action. */
export function toTemplate(items: TrayMenuItem[], dispatch: (action: TrayAction) => void, platform: NodeJS.Platform): MenuTemplateItem[] {
  const label = (text: string) => (platform === 'darwin' ? text : text.replace(/&/g, '&&'));
  return items.map((item): MenuTemplateItem => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return { id: item.id, type: 'submenu', label: label(item.label), enabled: item.enabled, submenu: toTemplate(item.items, dispatch, platform) };
      case 'action': {
        const act = item.action;
        return { id: item.id, type: 'normal', label: label(item.label), enabled: item.enabled, click: () => dispatch(act) };
      }
    }
  });
}
