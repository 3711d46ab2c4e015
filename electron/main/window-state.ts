/**
 * The main window's size, position and maximized state, remembered across runs in a small JSON
 * file in the data dir. What is read back is validated, then fitted to the displays there are
 * now (a monitor unplugged since must not leave the window off-screen). Writes are debounced:
 * dragging a window emits dozens of `move` events a second.
 */
import type { Log } from './log';
import type { TextFileLike } from './text-file';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  /** x/y absent = let the window manager place it (centred). */
  bounds: { x?: number; y?: number; width: number; height: number };
  maximized: boolean;
  fullScreen: boolean;
}

/** Electron's `screen`, the part used here. */
export interface ScreenLike {
  getAllDisplays(): { workArea: Rect }[];
  getPrimaryDisplay(): { workArea: Rect };
}

export interface WindowSizeLimits {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
}

/** BrowserWindow, the part used here. */
export interface TrackedWindowLike {
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  isFullScreen(): boolean;
  on(event: 'resize' | 'move' | 'maximize' | 'unmaximize' | 'enter-full-screen' | 'leave-full-screen' | 'close', listener: () => void): unknown;
}

export const windowStateFileName = 'window-state.json';
const maxCoordinate = 100_000;

/** The saved state if it is well-formed; null for a missing, corrupt or absurd file. */
export function parseWindowState(text: string | null): WindowState | null {
  if (text === null) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as { bounds?: Record<string, unknown>; maximized?: unknown; fullScreen?: unknown };
  const b = r.bounds;
  if (!b || typeof b !== 'object') return null;
  const int = (v: unknown, min: number, max: number) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : null);
  const width = int(b.width, 1, maxCoordinate);
  const height = int(b.height, 1, maxCoordinate);
  if (width === null || height === null) return null;
  const x = int(b.x, -maxCoordinate, maxCoordinate);
  const y = int(b.y, -maxCoordinate, maxCoordinate);
  return {
    bounds: x !== null && y !== null ? { x, y, width, height } : { width, height },
    maximized: r.maximized === true,
    fullScreen: r.fullScreen === true,
  };
}

/**
 * Fits a saved state to the current displays: the display holding most of the window keeps it,
 * clamped so the whole window is inside that display's work area; a window on no display loses
 * its position (centred on the primary display). The size never drops below the minimum nor
 * exceeds the work area.
 */
export function fitToDisplays(state: WindowState | null, screen: ScreenLike, limits: WindowSizeLimits): WindowState {
  const primary = screen.getPrimaryDisplay().workArea;
  const wanted = state?.bounds ?? { width: limits.width, height: limits.height };
  const { x, y } = wanted;
  let area = primary;
  let placed = false;
  if (x !== undefined && y !== undefined) {
    let best = 0;
    for (const { workArea } of screen.getAllDisplays()) {
      const overlap = intersection({ x, y, width: wanted.width, height: wanted.height }, workArea);
      if (overlap > best) {
        best = overlap;
        area = workArea;
      }
    }
    placed = best > 0;
  }
  const width = clamp(wanted.width, Math.min(limits.minWidth, area.width), area.width);
  const height = clamp(wanted.height, Math.min(limits.minHeight, area.height), area.height);
  const bounds: WindowState['bounds'] = placed
    ? { x: clamp(x!, area.x, area.x + area.width - width), y: clamp(y!, area.y, area.y + area.height - height), width, height }
    : { width, height };
  return { bounds, maximized: state?.maximized ?? false, fullScreen: state?.fullScreen ?? false };
}

export interface WindowStateKeeper {
  /** The state to open the window with, fitted to the displays. */
  load(screen: ScreenLike, limits: WindowSizeLimits): WindowState;
  /** Saves the window's state as it changes (debounced) and when it closes; returns the stop function. */
  track(win: TrackedWindowLike): () => void;
  /** Writes a pending change now. */
  flush(): void;
}

export function createWindowStateKeeper(deps: { file: TextFileLike; log: Log; delayMs?: number }): WindowStateKeeper {
  const delayMs = deps.delayMs ?? 500;
  let lastWritten: string | null = null;
  let pending: (() => WindowState) | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const write = () => {
    clearTimeout(timer);
    timer = undefined;
    const snapshot = pending;
    pending = null;
    if (!snapshot) return;
    let text: string;
    try {
      text = JSON.stringify(snapshot());
    } catch (err) {
      // The window is already destroyed: nothing to save.
      deps.log('window state: could not read the window', { error: err instanceof Error ? err.message : String(err) });
      return;
    }
    if (text === lastWritten) return;
    try {
      deps.file.write(text);
      lastWritten = text;
    } catch (err) {
      deps.log('window state: could not save', { error: err instanceof Error ? err.message : String(err) });
    }
  };

  return {
    load(screen, limits) {
      let text: string | null = null;
      try {
        text = deps.file.read();
      } catch (err) {
        deps.log('window state: could not read, using defaults', { error: err instanceof Error ? err.message : String(err) });
      }
      const saved = parseWindowState(text);
      if (text !== null && saved === null) deps.log('window state: the saved file is not valid, using defaults');
      lastWritten = saved ? JSON.stringify(saved) : null;
      return fitToDisplays(saved, screen, limits);
    },
    track(win) {
      let active = true;
      const snapshot = (): WindowState => {
        const b = win.getNormalBounds();
        return {
          bounds: { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) },
          maximized: win.isMaximized(),
          fullScreen: win.isFullScreen(),
        };
      };
      const schedule = () => {
        if (!active) return;
        pending = snapshot;
        clearTimeout(timer);
        timer = setTimeout(write, delayMs);
      };
      for (const event of ['resize', 'move', 'maximize', 'unmaximize', 'enter-full-screen', 'leave-full-screen'] as const) win.on(event, schedule);
      // On close the window still answers; a moment later it is destroyed.
      win.on('close', () => {
        if (!active) return;
        pending = snapshot;
        write();
      });
      return () => {
        active = false;
      };
    },
    flush: write,
  };
}

function clamp(v: number, min: number, max: number): number {
  return Math.min(Math.max(v, min), Math.max(min, max));
}

function intersection(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}
