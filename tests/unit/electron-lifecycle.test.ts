import { describe, expect, it, vi } from 'vitest';
import { closeBeforeQuit } from '../../electron/main/lifecycle';

function fakeApp() {
  let listener: ((event: { preventDefault(): void }) => void) | undefined;
  const app = {
    on: (_event: 'before-quit', l: (event: { preventDefault(): void }) => void) => void (listener = l),
    quit: vi.fn(() => {
      // Electron emits before-quit again for the second quit.
      const event = { preventDefault: vi.fn() };
      listener!(event);
      app.secondQuitPrevented = event.preventDefault.mock.calls.length > 0;
    }),
    secondQuitPrevented: undefined as boolean | undefined,
  };
  const beforeQuit = () => {
    const event = { preventDefault: vi.fn() };
    listener!(event);
    return event;
  };
  return { app, beforeQuit };
}

describe('closing the core before quit', () => {
  it('holds the quit until close() resolves, then quits once', async () => {
    const { app, beforeQuit } = fakeApp();
    let finish!: () => void;
    const close = vi.fn(() => new Promise<void>((r) => (finish = r)));
    closeBeforeQuit(app, close, { timeoutMs: 5_000, log: vi.fn() });

    expect(beforeQuit().preventDefault).toHaveBeenCalled();
    expect(beforeQuit().preventDefault).toHaveBeenCalled(); // a second Cmd+Q while closing
    await Promise.resolve();
    expect(close).toHaveBeenCalledTimes(1);
    expect(app.quit).not.toHaveBeenCalled();

    finish();
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalledTimes(1));
    expect(app.secondQuitPrevented).toBe(false);
  });

  it('quits even when close() fails, and logs it', async () => {
    const { app, beforeQuit } = fakeApp();
    const log = vi.fn();
    closeBeforeQuit(app, () => Promise.reject(new Error('disk full')), { timeoutMs: 5_000, log });
    beforeQuit();
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalledTimes(1));
    expect(log).toHaveBeenCalledWith('quit: closing the core failed', { error: 'disk full' });
  });

  it('quits after the timeout when close() hangs', async () => {
    vi.useFakeTimers();
    try {
      const { app, beforeQuit } = fakeApp();
      const log = vi.fn();
      closeBeforeQuit(app, () => new Promise<void>(() => {}), { timeoutMs: 1_000, log });
      beforeQuit();
      await vi.advanceTimersByTimeAsync(999);
      expect(app.quit).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      expect(app.quit).toHaveBeenCalledTimes(1);
      expect(log).toHaveBeenCalledWith(expect.stringContaining('did not close in time'), { timeoutMs: 1_000 });
    } finally {
      vi.useRealTimers();
    }
  });
});
