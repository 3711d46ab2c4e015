import type { Log } from './log';

export interface QuittingAppLike {
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  quit(): void;
}

/**
 * Holds the first quit until `close()` has finished (running turns stopped, telemetry flushed),
 * then quits for real. A close that hangs or fails cannot keep the app open: after `timeoutMs`
 * it quits anyway.
 */
export function closeBeforeQuit(app: QuittingAppLike, close: () => Promise<void>, opts: { timeoutMs: number; log: Log }): void {
  let state: 'running' | 'closing' | 'closed' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'closed') return;
    event.preventDefault();
    if (state === 'closing') return;
    state = 'closing';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        opts.log('quit: the core did not close in time; quitting anyway', { timeoutMs: opts.timeoutMs });
        resolve();
      }, opts.timeoutMs);
    });
    Promise.race([
      Promise.resolve()
        .then(close)
        .catch((err: unknown) => opts.log('quit: closing the core failed', { error: err instanceof Error ? err.message : String(err) })),
      timeout,
    ]).finally(() => {
      clearTimeout(timer);
      state = 'closed';
      app.quit();
    });
  });
}
