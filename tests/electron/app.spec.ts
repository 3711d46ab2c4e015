/**
 * The built desktop app, launched with the real Electron binary: window, hardening, the bridge,
 * a chat turn against the fake Ollama, and the window state written at quit.
 * Without the binary (it cannot be downloaded on the project's CI machines) the whole file is
 * skipped with the reason, loudly: a skipped suite is not a passed one.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { findElectronBinary } from '../../scripts/electron-binary.mjs';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const binary = findElectronBinary({ root: repoRoot });
const skipReason = binary.found
  ? ''
  : `Electron binary not installed: ${binary.reason}. These desktop tests did NOT run. ` +
    'Install Electron where it can be downloaded (npm ci with network access, or set ELECTRON_EXEC_PATH), run `npm run build`, then `npm run test:electron`.';

if (!binary.found) {
  console.warn(`\n${'!'.repeat(100)}\n!! tests/electron: NOT RUN. ${skipReason}\n${'!'.repeat(100)}\n`);
}

test.describe('Agent Bruno desktop app', () => {
  test.skip(!binary.found, skipReason);
  test.describe.configure({ mode: 'serial' });

  let fake: FakeOllama;
  let dataDir: string;
  let app: ElectronApplication;
  let page: Page;

  test.beforeAll(async () => {
    if (!existsSync(join(repoRoot, 'out/main/index.js'))) throw new Error('out/main/index.js is missing: run `npm run build` first.');
    fake = await startFakeOllama({ port: 0 });
    dataDir = await mkdtemp(join(tmpdir(), 'bruno-electron-'));
    app = await electron.launch({
      executablePath: binary.found ? binary.path : undefined,
      args: [repoRoot],
      env: {
        ...process.env,
        OLLAMA_HOST: fake.url,
        BRUNO_DATA_DIR: dataDir,
        BRUNO_CHAT_MODEL: 'llama3.1:8b',
        BRUNO_METRICS_ADDR: '',
        BRUNO_GRAFANA_URL: 'http://grafana.invalid:3000',
        OTEL_SDK_DISABLED: 'true',
      },
    });
    page = await app.firstWindow();
  });

  test.afterAll(async () => {
    await app?.close().catch(() => {});
    await fake?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('opens one window titled Agent Bruno with the chat UI', async () => {
    await expect(page.getByTestId('app')).toBeVisible();
    expect(await page.title()).toContain('Agent Bruno');
    expect(app.windows()).toHaveLength(1);
  });

  test('the window is isolated, sandboxed and has no Node', async () => {
    // getLastWebPreferences exists at run time but is not in Electron's typings.
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const wc = BrowserWindow.getAllWindows()[0]!.webContents as unknown as { getLastWebPreferences?: () => Record<string, unknown> | null };
      const p = wc.getLastWebPreferences?.() ?? null;
      return p && { contextIsolation: p.contextIsolation, sandbox: p.sandbox, nodeIntegration: p.nodeIntegration, webSecurity: p.webSecurity };
    });
    if (prefs) expect(prefs).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    const page_ = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      bridge: Object.keys((window as unknown as { bruno: object }).bruno).sort(),
    }));
    expect(page_).toEqual({ require: 'undefined', process: 'undefined', bridge: ['invoke', 'on', 'onCommand'] });
  });

  test('window.open opens no window, and navigation away is stopped', async () => {
    const opened = await page.evaluate(() => window.open('https://example.com/') === null);
    expect(opened).toBe(true);
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toMatch(/^file:/);
    expect(app.windows()).toHaveLength(1);
  });

  test('health reaches the UI and a chat turn streams an answer', async () => {
    await expect(page.getByTestId('health')).toHaveAttribute('data-tone', 'ok');
    const composer = page.getByTestId('composer');
    await expect(composer).toBeEnabled();
    await composer.fill('Hello from the desktop test');
    await composer.press('Enter');
    await expect(page.getByTestId('message-assistant').last().getByTestId('answer-text')).not.toBeEmpty();
    await expect(page.getByTestId('stats-line').last()).toBeVisible();
  });

  test('remembers the window state at quit', async () => {
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.setBounds({ x: 60, y: 40, width: 1000, height: 700 }));
    await app.close();
    const saved = JSON.parse(await readFile(join(dataDir, 'window-state.json'), 'utf8'));
    expect(saved.bounds).toMatchObject({ width: 1000, height: 700 });
  });
});
