import { useEffect } from 'react';
import { useApp, useActions } from '../../shared/context';
import { selectIsStopping, selectIsTurnRunning } from './selectors';

/** Escape stops a streaming answer from anywhere on the page, whichever view is shown. */
export function useEscapeStops() {
  const running = useApp(selectIsTurnRunning);
  const controller = useActions();
  useEffect(() => {
    if (!running) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) void controller.stop();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [running, controller]);
}

/** Shown while an answer streams. */
export function StopButton() {
  const running = useApp(selectIsTurnRunning);
  const stopping = useApp(selectIsStopping);
  const controller = useActions();
  if (!running) return null;
  return (
    <button
      type="button"
      className="button button-stop"
      aria-label="Stop the answer"
      data-testid="stop-button"
      disabled={stopping}
      onClick={() => void controller.stop()}
    >
      {stopping ? 'Stopping…' : 'Stop'}
    </button>
  );
}
