/**
 * The Electron main process: wiring only. Every decision lives in a plain module next to this
 * one (window options and state, security, IPC binding, tray model and actions, notifications,
 * secrets); this file hands them the real Electron objects. It is the only main-process file
 * that imports `electron`.
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, Menu, nativeImage, Notification, safeStorage, screen, session, shell, Tray, type NativeImage } from 'electron';
import type { AppCommand } from '../../core/common/app-commands';
import { rendererCsp } from '../../core/common/security';
import { loadSettings } from '../../core/config';
import { createCore, type Core } from '../../core/runtime';
import { startMetricsServer } from '../../core/server';
import { ipcChannels } from '../ipc-channels';
import { appId } from './app-identity';
import { iconsDir, trayIconPath, windowIconPath } from './icon-paths';
import { bindContractToIpc } from './ipc-binding';
import { bindPathPicker } from './path-picker';
import { closeBeforeQuit } from './lifecycle';
import { createLiveLinks, type LinkTargets } from './link-targets';
import { consoleLog, type Log } from './log';
import { createNotifier, type NotificationRequest } from './notifier';
import { isAppRendererUrl, resolveRendererSource, type RendererSource } from './renderer-source';
import { createSecretStore, secretsFileMode, secretsFileName, withStoredSecrets, type SecretStore } from './secret-store';
import { applySessionSecurity, devRendererCsp, guardWindow, openExternalIfAllowed } from './security';
import { feedShellFromCore } from './shell-feed';
import { textFile } from './text-file';
import { createTrayActionHandler } from './tray-actions';
import { createTrayController, type TrayController } from './tray-controller';
import type { TrayAction, TrayIcon } from './tray-model';
import { createWindowControl, type WindowControl } from './window-control';
import { createWindowOptions, windowSizeLimits } from './window-options';
import { createWindowStateKeeper, windowStateFileName, type WindowStateKeeper } from './window-state';

const coreCloseTimeoutMs = 5_000;
/** Notifications are kept referenced until dismissed: a collected one loses its click handler. */
const maxLiveNotifications = 20;

let mainWindow: BrowserWindow | undefined;
let windowControl: WindowControl<BrowserWindow> | undefined;

// Every renderer sandboxed, whatever a future window's options say. Must run before `ready`.
app.enableSandbox();
// Windows shows notifications only for the AppUserModelID the installer registered.
if (process.platform === 'win32') app.setAppUserModelId(appId);

if (!app.requestSingleInstanceLock()) {
  // Another instance owns the data dir; it is told through `second-instance` and shows itself.
  app.quit();
} else {
  app.on('second-instance', () => windowControl?.reveal());
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => fatal('Agent Bruno could not start', err));
}

function start(): void {
  let core: Core;
  let source: RendererSource;
  let settings: ReturnType<typeof loadSettings>;
  let secrets: SecretStore;
  try {
    source = resolveRendererSource({
      devUrl: process.env.ELECTRON_RENDERER_URL,
      isPackaged: app.isPackaged,
      mainDir: import.meta.dirname,
    });
    settings = loadSettings();
    // Tokens the settings file and environment leave empty come from the encrypted store.
    secrets = createSecretStore({
      safeStorage,
      file: textFile(join(settings.dataDir, secretsFileName), { mode: secretsFileMode }),
      platform: process.platform,
      log: consoleLog,
    });
    core = createCore({ settings: withStoredSecrets(settings, secrets, consoleLog), env: process.env });
  } catch (err) {
    fatal('Agent Bruno cannot start', err);
    return;
  }
  // Refusals and failures go to the console and to the structured (PII-redacted) log.
  const log: Log = (message, fields) => {
    consoleLog(message, fields);
    core.logger.warn(message, fields ?? {});
  };
  // /metrics is an extra: a taken port is reported, the app runs on without it.
  const metricsSettings = core.settings.get().telemetry;
  const metrics = startMetricsServer({ registry: core.telemetry.registry, addr: metricsSettings.metricsAddr, token: metricsSettings.metricsToken, audit: core.audit }).catch((err: unknown) => {
    log('/metrics is off', { reason: err instanceof Error ? err.message : String(err) });
    return null;
  });
  closeBeforeQuit(app, () => Promise.all([core.close(), metrics.then((m) => m?.close())]).then(() => {}), { timeoutMs: coreCloseTimeoutMs, log });
  applySessionSecurity(session.defaultSession, {
    csp: source.kind === 'dev' ? devRendererCsp(rendererCsp) : rendererCsp,
    log,
  });

  // One click out: only to the services the user configured, as they are configured now.
  const links = createLiveLinks(core.settings);
  const openExternal = (url: string) => shell.openExternal(url);
  const linkRefused = (url: string, reason: string) => core.audit.record('link_refused', 'external link refused', { url, reason, origin: 'ipc' });
  const openLink = (url: string) => openExternalIfAllowed(url, links.origins(), openExternal, log, linkRefused);

  const secretStatus = secrets.status();
  if (!secretStatus.available) log('secrets: not stored on this machine', { reason: secretStatus.reason });

  const icons = iconsDir({ isPackaged: app.isPackaged, resourcesPath: process.resourcesPath, appPath: app.getAppPath() });
  const windowState = createWindowStateKeeper({ file: textFile(join(settings.dataDir, windowStateFileName)), log });
  let tray: TrayController | undefined;

  const createWindow = (): BrowserWindow => {
    const win = createMainWindow({ core, source, origins: links.origins, openExternal, log, windowState, iconPath: windowIconPath(icons) });
    mainWindow = win;
    const visibility = () => tray?.setWindowVisible(!win.isDestroyed() && win.isVisible() && !win.isMinimized());
    for (const event of ['show', 'hide', 'minimize', 'restore'] as const) win.on(event as 'show', visibility);
    win.on('closed', () => {
      if (mainWindow === win) mainWindow = undefined;
      tray?.setWindowVisible(false);
    });
    return win;
  };
  windowControl = createWindowControl({ current: () => mainWindow, create: createWindow });

  const sendCommand = (command: AppCommand) => {
    const win = windowControl!.reveal();
    const send = () => {
      if (!win.isDestroyed()) win.webContents.send(ipcChannels.command, command);
    };
    if (win.webContents.isLoading()) win.webContents.once('did-finish-load', send);
    else send();
  };

  let handleAction: (action: TrayAction) => void = () => {};
  tray = startTray({ icons, chatModel: core.settings.get().chatModel, links: links.targets(), dispatch: (action) => handleAction(action), log });
  // The tray names the default model and enables its Grafana items from live settings.
  const stopTraySettings = core.settings.subscribe((next) => tray?.setOptions({ defaultModel: next.chatModel, ...trayLinkOptions(links.targets()) }));
  handleAction = createTrayActionHandler({
    window: { toggle: () => windowControl!.toggle(), reveal: () => void windowControl!.reveal() },
    sendCommand,
    openExternal: openLink,
    links: links.targets,
    state: tray ?? { lastTraceId: () => null, alert: () => null, setExportPaused: () => {} },
    exportControl: core.telemetry,
    quit: () => app.quit(),
    log,
  });

  const liveNotifications = new Set<Notification>();
  const notifier = createNotifier({
    notify: (request: NotificationRequest) => {
      if (!Notification.isSupported()) return;
      const notification = new Notification({ title: request.title, body: request.body, icon: windowIconPath(icons) });
      const forget = () => liveNotifications.delete(notification);
      notification.on('click', () => {
        forget();
        handleAction(request.onClick);
      });
      notification.on('close', forget);
      liveNotifications.add(notification);
      if (liveNotifications.size > maxLiveNotifications) liveNotifications.delete(liveNotifications.values().next().value!);
      notification.show();
    },
  });
  const stopFeed = feedShellFromCore({
    events: core.events,
    handlers: core.handlers,
    tray: tray ?? { setHealth: () => {}, setAlerts: () => {}, setSample: () => {}, setTurnDone: () => {} },
    notifier,
    log,
  });

  app.on('will-quit', () => {
    stopFeed();
    stopTraySettings();
    links.stop();
    tray?.destroy();
    windowState.flush();
  });

  createWindow();
  app.on('activate', () => {
    if (!mainWindow) createWindow();
  });
}

/** The tray, or undefined where the desktop has none (some Linux panels): the app works without it. */
function trayLinkOptions(links: LinkTargets) {
  return { grafanaConfigured: links.grafanaUrl !== null, dashboardConfigured: Object.keys(links.dashboardUids).length > 0 };
}

function startTray(opts: { icons: string; chatModel: string; links: LinkTargets; dispatch: (action: TrayAction) => void; log: Log }): TrayController | undefined {
  const images = new Map<TrayIcon, NativeImage>();
  const image = (icon: TrayIcon) => {
    let img = images.get(icon);
    if (!img) {
      img = nativeImage.createFromPath(trayIconPath(opts.icons, icon, process.platform));
      if (img.isEmpty()) opts.log('tray: icon missing', { icon });
      images.set(icon, img);
    }
    return img;
  };
  try {
    return createTrayController({
      tray: new Tray(image('unknown')),
      image,
      buildMenu: (template) => Menu.buildFromTemplate(template),
      dispatch: opts.dispatch,
      platform: process.platform,
      options: {
        canPauseExport: true,
        ...trayLinkOptions(opts.links),
        defaultModel: opts.chatModel,
      },
    });
  } catch (err) {
    opts.log('tray: not available on this desktop', { error: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
}

function createMainWindow(opts: {
  core: Core;
  source: RendererSource;
  origins: () => readonly string[];
  openExternal: (url: string) => Promise<void>;
  log: Log;
  windowState: WindowStateKeeper;
  iconPath: string;
}): BrowserWindow {
  const { core, source, log } = opts;
  const state = opts.windowState.load(screen, windowSizeLimits);
  const win = new BrowserWindow(
    createWindowOptions({ preloadPath: join(import.meta.dirname, '../preload/index.cjs'), bounds: state.bounds, iconPath: opts.iconPath }),
  );
  opts.windowState.track(win);
  // In-app navigation and window.open never leave the app; links go through the allow-list.
  guardWindow(win.webContents, { allowedExternalOrigins: opts.origins, openExternal: opts.openExternal, log, onRefused: (url, reason) => core.audit.record('link_refused', 'external link refused', { url, reason, origin: 'ipc' }) });
  // The window's own IPC scope: no other webContents can reach these handlers.
  const unbind = bindContractToIpc({
    ipc: win.webContents.ipc,
    handlers: core.handlers,
    events: core.events,
    target: win.webContents,
    isAllowedSender: (url) => isAppRendererUrl(url, source),
    log,
    audit: core.audit,
  });
  win.once('ready-to-show', () => {
    if (state.fullScreen) win.setFullScreen(true);
    else if (state.maximized) win.maximize();
    win.show();
  });
  const unbindPicker = bindPathPicker({
    ipc: win.webContents.ipc,
    showOpenDialog: (options) => dialog.showOpenDialog(win, options),
    isAllowedSender: (url) => isAppRendererUrl(url, source),
    log,
  });
  win.on('closed', () => {
    unbind();
    unbindPicker();
  });
  const loaded = source.kind === 'dev' ? win.loadURL(source.url) : win.loadFile(source.indexFile);
  loaded.catch((err: unknown) => log('window: the renderer failed to load', { error: err instanceof Error ? err.message : String(err) }));
  return win;
}

/** Shown before any window exists (bad settings, core failed to start); then exit non-zero. */
function fatal(title: string, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  consoleLog(title, { error: message });
  dialog.showErrorBox(title, message);
  app.exit(1);
}
