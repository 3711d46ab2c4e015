import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { electronMissingMessage, findElectronBinary } from '../../scripts/electron-binary.mjs';

const root = resolve(import.meta.dirname, '../..');
const find = findElectronBinary;

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project folder with a fake node_modules/electron, optionally "downloaded". */
function fakeProject(opts: { pathTxt?: string; binary?: boolean; electron?: boolean }) {
  const dir = mkdtempSync(join(tmpdir(), 'bruno-electron-'));
  temps.push(dir);
  writeFileSync(join(dir, 'package.json'), '{"name":"x"}');
  if (opts.electron === false) return dir;
  const electronDir = join(dir, 'node_modules/electron');
  mkdirSync(join(electronDir, 'dist'), { recursive: true });
  writeFileSync(join(electronDir, 'package.json'), '{"name":"electron","version":"45.5.0","main":"index.js"}');
  // Requiring this would "download"; the detection must never load it.
  writeFileSync(join(electronDir, 'index.js'), 'throw new Error("index.js must not be required")');
  if (opts.pathTxt !== undefined) writeFileSync(join(electronDir, 'path.txt'), opts.pathTxt);
  if (opts.binary) writeFileSync(join(electronDir, 'dist', opts.pathTxt ?? 'electron'), '');
  return dir;
}

describe('Electron binary detection', () => {
  it('reports the binary missing when path.txt is absent (this machine)', () => {
    expect(find({ root: fakeProject({}), env: {} })).toMatchObject({ found: false, reason: expect.stringContaining('path.txt') });
    expect(find({ root, env: {} }).found).toBe(false);
  });

  it('reports it missing when path.txt names a file that is not in dist/', () => {
    expect(find({ root: fakeProject({ pathTxt: 'electron' }), env: {} })).toMatchObject({ found: false });
  });

  it('reports it missing when the electron package is not installed', () => {
    expect(find({ root: fakeProject({ electron: false }), env: {} })).toMatchObject({ found: false, reason: expect.stringContaining('npm ci') });
  });

  it('finds an installed binary, and honours ELECTRON_EXEC_PATH like electron-vite', () => {
    const dir = fakeProject({ pathTxt: 'electron', binary: true });
    expect(find({ root: dir, env: {} })).toEqual({ found: true, path: join(dir, 'node_modules/electron/dist/electron') });
    expect(find({ root: fakeProject({}), env: { ELECTRON_EXEC_PATH: join(dir, 'node_modules/electron/dist/electron') } }).found).toBe(true);
    expect(find({ root: dir, env: { ELECTRON_EXEC_PATH: '/nonexistent/electron' } }).found).toBe(false);
  });

  it('the message says why and points at npm run serve', () => {
    const message = electronMissingMessage('path.txt is missing');
    expect(message).toContain('Electron binary is not installed');
    expect(message).toContain('npm run serve');
    expect(message).not.toContain('\n');
  });
});

describe('npm start without the Electron binary', () => {
  it('exits 1 with a message naming npm run serve, without trying to download or build', () => {
    const env = { ...process.env };
    delete env.ELECTRON_EXEC_PATH;
    const result = spawnSync(process.execPath, [join(root, 'scripts/start-electron.mjs')], { cwd: root, env, encoding: 'utf8', timeout: 15_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('npm run serve');
    expect(result.stderr).toContain('Electron binary is not installed');
    expect(result.stdout).not.toMatch(/Downloading|building/i);
  });
});
