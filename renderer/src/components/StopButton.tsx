import { useEffect } from 'react';
import { useApp, useController } from '../app/context';
import { selectIsStopping, selectIsTurnRunning } from '../store';

/** Shown while an answer streams; Escape does the same from anywhere on the page. */
export function StopButton() {
  const running = useApp(selectIsTurnRunning);
  const stopping = useApp(selectIsStopping);
  const controller = useController();
  useEffect(() => {
    if (!running) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') void controller.stop();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [running, controller]);
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
