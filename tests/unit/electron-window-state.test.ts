import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { textFile, type TextFileLike } from '../../electron/main/text-file';
import { windowSizeLimits } from '../../electron/main/window-options';
import {
  createWindowStateKeeper,
  fitToDisplays,
  parseWindowState,
  type Rect,
  type ScreenLike,
  type TrackedWindowLike,
  type WindowState,
} from '../../electron/main/window-state';

const laptop: Rect = { x: 0, y: 0, width: 1440, height: 875 };
const external: Rect = { x: 1440, y: -200, width: 2560, height: 1415 };
const screenOf = (...workAreas: Rect[]): ScreenLike => ({
  getAllDisplays: () => workAreas.map((workArea) => ({ workArea })),
  getPrimaryDisplay: () => ({ workArea: workAreas[0]! }),
});
const state = (bounds: WindowState['bounds'], extra: Partial<WindowState> = {}): WindowState => ({ bounds, maximized: false, fullScreen: false, ...extra });

function memoryFile(initial: string | null = null) {
  let content = initial;
  const writes: string[] = [];
  const file: TextFileLike = { read: () => content, write: (t) => void (writes.push(t), (content = t)) };
  return { file, writes };
}

describe('reading the saved window state', () => {
  it('accepts a well-formed state', () => {
    expect(parseWindowState('{"bounds":{"x":10,"y":20,"width":1000,"height":700},"maximized":true,"fullScreen":false}')).toEqual(
      state({ x: 10, y: 20, width: 1000, height: 700 }, { maximized: true }),
    );
  });

  it('keeps the size but drops a half position', () => {
    expect(parseWindowState('{"bounds":{"x":10,"width":1000,"height":700}}')).toEqual(state({ width: 1000, height: 700 }));
  });

  it.each([
    ['missing file', null],
    ['not JSON', '{oops'],
    ['not an object', '42'],
    ['no bounds', '{"maximized":true}'],
    ['string sizes', '{"bounds":{"width":"1000","height":700}}'],
    ['zero size', '{"bounds":{"width":0,"height":700}}'],
    ['NaN-ish', '{"bounds":{"width":1e400,"height":700}}'],
    ['fractions', '{"bounds":{"width":1000.5,"height":700}}'],
    ['absurd', '{"bounds":{"width":10000000,"height":700}}'],
  ])('rejects %s', (_name, text) => {
    expect(parseWindowState(text)).toBeNull();
  });
});

describe('fitting the window to the displays there are now', () => {
  it('first run: default size, centred (no position)', () => {
    expect(fitToDisplays(null, screenOf(laptop), windowSizeLimits)).toEqual(state({ width: 1280, height: 820 }));
  });

  it('keeps a window that is fully on a display', () => {
    const saved = state({ x: 100, y: 30, width: 1200, height: 800 }, { maximized: true });
    expect(fitToDisplays(saved, screenOf(laptop, external), windowSizeLimits)).toEqual(saved);
    const onExternal = state({ x: 2000, y: 0, width: 1600, height: 1000 });
    expect(fitToDisplays(onExternal, screenOf(laptop, external), windowSizeLimits)).toEqual(onExternal);
  });

  it('a window on a monitor that was unplugged comes back centred on the primary display', () => {
    const saved = state({ x: 2000, y: 0, width: 1600, height: 1000 });
    expect(fitToDisplays(saved, screenOf(laptop), windowSizeLimits)).toEqual(state({ width: 1440, height: 875 }));
  });

  it('a window hanging off an edge is moved fully inside the display holding most of it', () => {
    expect(fitToDisplays(state({ x: 1000, y: 500, width: 1000, height: 700 }), screenOf(laptop), windowSizeLimits).bounds).toEqual({ x: 440, y: 175, width: 1000, height: 700 });
    expect(fitToDisplays(state({ x: -300, y: -50, width: 900, height: 600 }), screenOf(laptop), windowSizeLimits).bounds).toEqual({ x: 0, y: 0, width: 900, height: 600 });
    // Straddling two displays: the one with the larger share wins.
    expect(fitToDisplays(state({ x: 1200, y: 100, width: 1000, height: 700 }), screenOf(laptop, external), windowSizeLimits).bounds).toEqual({ x: 1440, y: 100, width: 1000, height: 700 });
  });

  it('clamps the size between the minimum and the work area', () => {
    expect(fitToDisplays(state({ x: 0, y: 0, width: 5000, height: 4000 }), screenOf(laptop), windowSizeLimits).bounds).toEqual({ x: 0, y: 0, width: 1440, height: 875 });
    expect(fitToDisplays(state({ x: 0, y: 0, width: 200, height: 100 }), screenOf(laptop), windowSizeLimits).bounds).toEqual({ x: 0, y: 0, width: 800, height: 560 });
    // A display smaller than the minimum: the window fits the display.
    const tiny: Rect = { x: 0, y: 0, width: 640, height: 480 };
    expect(fitToDisplays(state({ x: 0, y: 0, width: 1000, height: 700 }), screenOf(tiny), windowSizeLimits).bounds).toEqual({ x: 0, y: 0, width: 640, height: 480 });
  });

  it('respects work areas that do not start at 0,0 (a menu bar, a dock on the left)', () => {
    const withDock: Rect = { x: 80, y: 25, width: 1360, height: 850 };
    expect(fitToDisplays(state({ x: 0, y: 0, width: 1000, height: 700 }), screenOf(withDock), windowSizeLimits).bounds).toEqual({ x: 80, y: 25, width: 1000, height: 700 });
  });
});

describe('saving the window state', () => {
  function fakeWindow(bounds: Rect) {
    const listeners = new Map<string, (() => void)[]>();
    let maximized = false;
    const win: TrackedWindowLike = {
      getNormalBounds: () => ({ ...bounds }),
      isMaximized: () => maximized,
      isFullScreen: () => false,
      on: (event, listener) => void listeners.set(event, [...(listeners.get(event) ?? []), listener]),
    };
    return {
      win,
      emit: (event: string) => listeners.get(event)?.forEach((l) => l()),
      move: (x: number, y: number) => void Object.assign(bounds, { x, y }),
      maximize: () => void (maximized = true),
    };
  }

  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('debounces a burst of moves into one write of the last bounds', () => {
    const { file, writes } = memoryFile();
    const keeper = createWindowStateKeeper({ file, log: vi.fn(), delayMs: 500 });
    const w = fakeWindow({ x: 0, y: 0, width: 1000, height: 700 });
    keeper.track(w.win);
    for (let i = 1; i <= 30; i++) {
      w.move(i * 10, i * 5);
      w.emit('move');
      vi.advanceTimersByTime(16);
    }
    expect(writes).toHaveLength(0);
    vi.advanceTimersByTime(500);
    expect(writes).toHaveLength(1);
    expect(JSON.parse(writes[0]!)).toEqual(state({ x: 300, y: 150, width: 1000, height: 700 }));
  });

  it('saves the normal bounds with the maximized flag, and writes at close without waiting', () => {
    const { file, writes } = memoryFile();
    const keeper = createWindowStateKeeper({ file, log: vi.fn(), delayMs: 500 });
    const w = fakeWindow({ x: 50, y: 60, width: 1000, height: 700 });
    keeper.track(w.win);
    w.maximize();
    w.emit('maximize');
    w.emit('close');
    expect(writes.map((t) => JSON.parse(t))).toEqual([state({ x: 50, y: 60, width: 1000, height: 700 }, { maximized: true })]);
    vi.advanceTimersByTime(1000);
    expect(writes).toHaveLength(1);
  });

  it('does not rewrite an unchanged state (including the one it loaded)', () => {
    const saved = JSON.stringify(state({ x: 50, y: 60, width: 1000, height: 700 }));
    const { file, writes } = memoryFile(saved);
    const keeper = createWindowStateKeeper({ file, log: vi.fn() });
    keeper.load(screenOf(laptop), windowSizeLimits);
    const w = fakeWindow({ x: 50, y: 60, width: 1000, height: 700 });
    keeper.track(w.win);
    w.emit('resize');
    keeper.flush();
    expect(writes).toEqual([]);
  });

  it('a failing write is logged, not thrown', () => {
    const log = vi.fn();
    const keeper = createWindowStateKeeper({ file: { read: () => null, write: () => { throw new Error('EACCES'); } }, log });
    const w = fakeWindow({ x: 0, y: 0, width: 1000, height: 700 });
    keeper.track(w.win);
    expect(() => w.emit('close')).not.toThrow();
    expect(log).toHaveBeenCalledWith('window state: could not save', { error: 'EACCES' });
  });

  it('a corrupt file is reported and the defaults are used', () => {
    const log = vi.fn();
    const keeper = createWindowStateKeeper({ file: memoryFile('{"bounds":').file, log });
    expect(keeper.load(screenOf(laptop), windowSizeLimits)).toEqual(state({ width: 1280, height: 820 }));
    expect(log).toHaveBeenCalledWith(expect.stringContaining('not valid'));
  });
});

describe('the state file on disk', () => {
  let dir: string;
  beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'bruno-window-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips through an atomic write, creating the data dir', () => {
    const file = textFile(join(dir, 'nested', 'window-state.json'));
    expect(file.read()).toBeNull();
    file.write('{"a":1}');
    file.write('{"a":2}');
    expect(file.read()).toBe('{"a":2}');
  });

  it('writes with the requested mode even over a leftover temp file', () => {
    const path = join(dir, 'secrets.json');
    writeFileSync(`${path}.${process.pid}.tmp`, 'old', { mode: 0o644 });
    textFile(path, { mode: 0o600 }).write('x');
    expect(readFileSync(path, 'utf8')).toBe('x');
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
