import type { BrowserWindowConstructorOptions } from 'electron';
import type { WindowSizeLimits, WindowState } from './window-state';

/** Size of a first run, and the smallest the layout works at. */
export const windowSizeLimits: WindowSizeLimits = { width: 1280, height: 820, minWidth: 800, minHeight: 560 };

export interface WindowOptionsInput {
  /** Absolute path of the built CommonJS preload (`out/preload/index.cjs`). */
  preloadPath: string;
  /** Remembered bounds, already fitted to the displays (window-state.ts). */
  bounds?: WindowState['bounds'];
  /** Window icon (Linux task bars). */
  iconPath?: string;
}

/**
 * The main window. The renderer is treated as untrusted web content: isolated, sandboxed, no
 * Node, and it reaches the core only through the preload's bridge. Hidden until `ready-to-show`
 * so the user never sees an unpainted frame.
 */
export function createWindowOptions({ preloadPath, bounds, iconPath }: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title: 'Agent Bruno',
    width: bounds?.width ?? windowSizeLimits.width,
    height: bounds?.height ?? windowSizeLimits.height,
    ...(bounds?.x !== undefined && bounds.y !== undefined ? { x: bounds.x, y: bounds.y } : { center: true }),
    minWidth: windowSizeLimits.minWidth,
    minHeight: windowSizeLimits.minHeight,
    ...(iconPath ? { icon: iconPath } : {}),
    show: false,
    backgroundColor: '#111318',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  };
}
