import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { appId } from '../../electron/main/app-identity';
import { decodePng } from '../../scripts/make-icons.mjs';

const root = resolve(import.meta.dirname, '../..');
const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a YAML document of any shape

describe('electron-builder.yml', () => {
  it("is valid for electron-builder's own schema", async () => {
    const require = createRequire(join(root, 'package.json'));
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(structuredClone(config), new DebugLogger(false))).resolves.toBeUndefined();
    // The validator does reject a wrong key (so the line above means something).
    await expect(validateConfiguration({ ...structuredClone(config), linux: { bogus: true } }, new DebugLogger(false))).rejects.toThrow(/configuration/);
  });

  it('uses the AppUserModelID the app sets (Windows notifications)', () => {
    expect(config.appId).toBe(appId);
  });

  it('builds AppImage + deb, dmg and nsis', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toBe('dmg');
    expect(config.win.target).toBe('nsis');
  });

  it('packages only the build output and package.json (production node_modules are added by electron-builder)', () => {
    expect(config.files.filter((f: string) => !f.startsWith('!'))).toEqual(['out/**/*', 'package.json']);
  });

  it('ships the tray and window icons where icon-paths.ts looks for them', () => {
    expect(config.extraResources).toEqual(
      expect.arrayContaining([expect.objectContaining({ from: 'resources/icons/tray', to: 'icons/tray' }), expect.objectContaining({ from: 'resources/icons/app', to: 'icons/app' })]),
    );
  });

  it('points at app icons that exist at the sizes the platforms need', () => {
    for (const path of [config.mac.icon, config.win.icon]) {
      const png = decodePng(readFileSync(join(root, path)));
      expect(png.width, path).toBeGreaterThanOrEqual(512);
    }
    // Linux takes a folder of NxN.png files.
    expect(existsSync(join(root, config.linux.icon, '256x256.png'))).toBe(true);
    expect(existsSync(join(root, config.linux.icon, '512x512.png'))).toBe(true);
  });
});
