/**
 * Show / hide / reveal of the main window for the tray, notifications and a second instance.
 * Plain module over the few BrowserWindow methods it needs.
 */

/** BrowserWindow, the part used here. */
export interface ToggleableWindowLike {
  isDestroyed(): boolean;
  isVisible(): boolean;
  isMinimized(): boolean;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
}

export interface WindowControl<W> {
  /** Shows, un-minimizes and focuses the window, creating it when there is none (macOS after close). */
  reveal(): W;
  /**
   * Hides a window the user can see, reveals it otherwise. Focus is not consulted: clicking the
   * tray takes focus away from the window on Windows, so "focused" would always be false there.
   */
  toggle(): void;
}

export function createWindowControl<W extends ToggleableWindowLike>(deps: { current(): W | undefined; create(): W }): WindowControl<W> {
  const live = () => {
    const win = deps.current();
    return win && !win.isDestroyed() ? win : undefined;
  };
  const reveal = () => {
    const win = live() ?? deps.create();
    if (win.isMinimized()) win.restore();
    if (!win.isVisible()) win.show();
    win.focus();
    return win;
  };
  return {
    reveal,
    toggle() {
      const win = live();
      if (win && win.isVisible() && !win.isMinimized()) win.hide();
      else reveal();
    },
  };
}
