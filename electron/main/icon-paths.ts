/**
 * Where the icons are at run time: `resources/icons` of the project in development, the
 * packaged app's resources folder (electron-builder's `extraResources`) once installed.
 */
import { join } from 'node:path';
import type { TrayIcon } from './tray-model';

export interface IconLocation {
  isPackaged: boolean;
  /** `process.resourcesPath` */
  resourcesPath: string;
  /** `app.getAppPath()`: the project root in development. */
  appPath: string;
}

export function iconsDir(loc: IconLocation): string {
  return loc.isPackaged ? join(loc.resourcesPath, 'icons') : join(loc.appPath, 'resources', 'icons');
}

/**
 * The tray image of a state. macOS and Windows draw tray icons at 16 logical px, Linux panels at
 * 22-32; nativeImage loads the `@2x` sibling by itself for HiDPI screens.
 */
export function trayIconPath(dir: string, icon: TrayIcon, platform: NodeJS.Platform): string {
  return join(dir, 'tray', `${icon}-${platform === 'linux' ? 32 : 16}.png`);
}

/** The window icon (Linux task bars; macOS and Windows take the packaged app's icon). */
export function windowIconPath(dir: string): string {
  return join(dir, 'app', '256x256.png');
}
