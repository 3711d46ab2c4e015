import { describe, expect, it } from 'vitest';
import { createWindowOptions, windowSizeLimits } from '../../electron/main/window-options';

describe('main window options', () => {
  const options = createWindowOptions({ preloadPath: '/app/out/preload/index.cjs' });

  it('isolates and sandboxes the renderer with no Node and full web security', () => {
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
  });

  it('loads the given preload, stays hidden until ready-to-show, is titled and sized', () => {
    expect(options.webPreferences?.preload).toBe('/app/out/preload/index.cjs');
    expect(options.show).toBe(false);
    expect(options.title).toBe('Agent Bruno');
    expect(options.width).toBeGreaterThanOrEqual(1024);
    expect(options.height).toBeGreaterThanOrEqual(700);
    expect(options.minWidth).toBeLessThanOrEqual(options.width!);
    expect(options.minHeight).toBeLessThanOrEqual(options.height!);
  });

  it('opens centred at the default size on a first run', () => {
    expect(options).toMatchObject({ width: windowSizeLimits.width, height: windowSizeLimits.height, center: true });
    expect(options).not.toHaveProperty('x');
  });

  it('uses remembered bounds and the window icon when given', () => {
    const restored = createWindowOptions({ preloadPath: '/p.cjs', bounds: { x: 40, y: 30, width: 1000, height: 700 }, iconPath: '/icons/app/256x256.png' });
    expect(restored).toMatchObject({ x: 40, y: 30, width: 1000, height: 700, icon: '/icons/app/256x256.png' });
    expect(restored).not.toHaveProperty('center');
    // Remembered bounds never weaken the web preferences.
    expect(restored.webPreferences).toEqual({ ...options.webPreferences, preload: '/p.cjs' });
    const sizeOnly = createWindowOptions({ preloadPath: '/p.cjs', bounds: { width: 900, height: 600 } });
    expect(sizeOnly).toMatchObject({ width: 900, height: 600, center: true });
  });
});
