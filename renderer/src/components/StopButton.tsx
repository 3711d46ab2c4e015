import { useEffect } from 'react';
import { useApp, useController } from '../app/context';
import { selectIsStopping, selectIsTurnRunning } from '../store';

/** Escape stops a streaming answer from anywhere on the page, whichever view is shown. */
export function useEscapeStops() {
  const running = useApp(selectIsTurnRunning);
  const controller = useController();
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
  const controller = useController();
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
