import type { TurnStats } from '../../../core/common';
import { formatStats } from '../format';

export function StatsLine({ stats }: { stats: TurnStats }) {
  return (
    <div className="stats" data-testid="stats-line" aria-label="Answer statistics">
      {formatStats(stats).map((part) => (
        <span key={part} className="stat">
          {part}
        </span>
      ))}
    </div>
  );
}
