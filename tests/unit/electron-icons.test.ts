import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { iconsDir, trayIconPath, windowIconPath } from '../../electron/main/icon-paths';
import { trayIcons } from '../../electron/main/tray-model';
import { decodePng, iconFiles, render, trayDesigns, trayStates } from '../../scripts/make-icons.mjs';

const root = resolve(import.meta.dirname, '../..');
const iconRoot = join(root, 'resources/icons');

function mask(rgba: Uint8Array): boolean[] {
  const out: boolean[] = [];
  for (let i = 3; i < rgba.length; i += 4) out.push(rgba[i]! > 127);
  return out;
}

/** Mean colour of the mostly opaque pixels. */
function meanColor(rgba: Uint8Array): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 3]! < 200) continue;
    for (let c = 0; c < 3; c++) sum[c]! += rgba[i + c]!;
    n++;
  }
  return sum.map((s) => s / n) as [number, number, number];
}

describe('icons', () => {
  it('one tray icon per tray state, and the script draws exactly those', () => {
    expect([...trayStates].sort()).toEqual([...trayIcons].sort());
  });

  it('every icon file exists at its size (16/32 px and @2x, app 256/512) and matches what the script draws', () => {
    const files = iconFiles();
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['tray/healthy-16.png', 'tray/healthy-16@2x.png', 'tray/healthy-32.png', 'tray/healthy-32@2x.png', 'app/256x256.png', 'app/512x512.png']));
    for (const { path, size, design } of files) {
      const png = decodePng(readFileSync(join(iconRoot, path)));
      expect([png.width, png.height], path).toEqual([size, size]);
      // Committed PNGs are the script's output: `node scripts/make-icons.mjs` after changing a design.
      expect(Buffer.from(png.rgba).equals(Buffer.from(render(design, size))), `${path} is stale`).toBe(true);
    }
    const twice = (path: string) => decodePng(readFileSync(join(iconRoot, path))).width;
    for (const state of trayStates) {
      expect(twice(`tray/${state}-16@2x.png`)).toBe(2 * twice(`tray/${state}-16.png`));
      expect(twice(`tray/${state}-32@2x.png`)).toBe(2 * twice(`tray/${state}-32.png`));
    }
  });

  it('tray icons differ in shape, not only in colour (alpha masks at 32 px)', () => {
    const masks = Object.fromEntries(trayStates.map((s) => [s, mask(render(trayDesigns[s]!, 32))]));
    for (const a of trayStates) {
      for (const b of trayStates) {
        if (a >= b) continue;
        const ma = masks[a]!;
        const mb = masks[b]!;
        let union = 0;
        let inter = 0;
        for (let i = 0; i < ma.length; i++) {
          if (ma[i] || mb[i]) union++;
          if (ma[i] && mb[i]) inter++;
        }
        expect(1 - inter / union, `${a} vs ${b}: shapes too alike`).toBeGreaterThan(0.12);
      }
    }
  });

  it('tray icons differ in colour too', () => {
    const colors = Object.fromEntries(trayStates.map((s) => [s, meanColor(render(trayDesigns[s]!, 32))]));
    for (const a of trayStates) {
      for (const b of trayStates) {
        if (a >= b) continue;
        const d = Math.hypot(...colors[a]!.map((v, i) => v - colors[b]![i]!));
        expect(d, `${a} vs ${b}: colours too alike`).toBeGreaterThan(25);
      }
    }
  });

  it('the runtime paths point at existing files, in development and packaged', () => {
    const dev = iconsDir({ isPackaged: false, resourcesPath: '/nowhere', appPath: root });
    expect(dev).toBe(iconRoot);
    for (const icon of trayIcons) {
      for (const platform of ['linux', 'darwin', 'win32'] as const) expect(existsSync(trayIconPath(dev, icon, platform)), `${icon} ${platform}`).toBe(true);
    }
    expect(existsSync(windowIconPath(dev))).toBe(true);
    expect(trayIconPath(dev, 'down', 'linux')).toMatch(/down-32\.png$/);
    expect(trayIconPath(dev, 'down', 'win32')).toMatch(/down-16\.png$/);
    // Packaged: electron-builder's extraResources copy resources/icons/* to <resources>/icons/*.
    expect(iconsDir({ isPackaged: true, resourcesPath: '/opt/Agent Bruno/resources', appPath: '/x' })).toBe(join('/opt/Agent Bruno/resources', 'icons'));
  });
});
