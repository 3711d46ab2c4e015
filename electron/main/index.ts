/**
 * The Electron main process: wiring only. Every decision lives in a plain module next to this
 * one (window options, security, IPC binding, renderer source, quit); this file hands them the
 * real Electron objects. It is the only main-process file that imports `electron`.
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, session, shell } from 'electron';
import { rendererCsp } from '../../core/common/security';
import { loadSettings } from '../../core/config';
import { createCore, type Core } from '../../core/runtime';
import { bindContractToIpc } from './ipc-binding';
import { closeBeforeQuit } from './lifecycle';
import { consoleLog as log } from './log';
import { isAppRendererUrl, resolveRendererSource, type RendererSource } from './renderer-source';
import { applySessionSecurity, devRendererCsp, guardWindow } from './security';
import { createWindowOptions } from './window-options';

/** Origins whose links open in the system browser. Empty until Grafana/Tempo/Prometheus are configured. */
const allowedExternalOrigins: readonly string[] = [];
const coreCloseTimeoutMs = 5_000;

let mainWindow: BrowserWindow | undefined;

// Every renderer sandboxed, whatever a future window's options say. Must run before `ready`.
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  // Another instance owns the data dir; it is told through `second-instance` and shows itself.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
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
  try {
    source = resolveRendererSource({
      devUrl: process.env.ELECTRON_RENDERER_URL,
      isPackaged: app.isPackaged,
      mainDir: import.meta.dirname,
    });
    const settings = loadSettings();
    core = createCore({ settings });
  } catch (err) {
    fatal('Agent Bruno cannot start', err);
    return;
  }
  closeBeforeQuit(app, () => core.close(), { timeoutMs: coreCloseTimeoutMs, log });
  // /metrics is an extra: a taken port is reported, the app runs on without it.
  core.telemetry.startMetricsEndpoint().catch((err: unknown) => log('/metrics is off', { reason: err instanceof Error ? err.message : String(err) }));
  applySessionSecurity(session.defaultSession, {
    csp: source.kind === 'dev' ? devRendererCsp(rendererCsp) : rendererCsp,
    log,
  });
  mainWindow = createMainWindow(core, source);
  app.on('activate', () => {
    if (!mainWindow) mainWindow = createMainWindow(core, source);
  });
}

function createMainWindow(core: Core, source: RendererSource): BrowserWindow {
  const win = new BrowserWindow(createWindowOptions({ preloadPath: join(import.meta.dirname, '../preload/index.cjs') }));
  guardWindow(win.webContents, {
    allowedExternalOrigins,
    openExternal: (url) => shell.openExternal(url),
    log,
  });
  // The window's own IPC scope: no other webContents can reach these handlers.
  const unbind = bindContractToIpc({
    ipc: win.webContents.ipc,
    handlers: core.handlers,
    events: core.events,
    target: win.webContents,
    isAllowedSender: (url) => isAppRendererUrl(url, source),
    log,
  });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    unbind();
    if (mainWindow === win) mainWindow = undefined;
  });
  const loaded = source.kind === 'dev' ? win.loadURL(source.url) : win.loadFile(source.indexFile);
  loaded.catch((err: unknown) => log('window: the renderer failed to load', { error: err instanceof Error ? err.message : String(err) }));
  return win;
}

/** Shown before any window exists (bad settings, core failed to start); then exit non-zero. */
function fatal(title: string, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  log(title, { error: message });
  dialog.showErrorBox(title, message);
  app.exit(1);
}
