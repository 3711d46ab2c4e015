import type { TurnStats } from '../../../../core/common';
import { useActions } from '../../shared/context';
import { statParts } from '../../shared/format';

export function StatsLine({ stats, traceId }: { stats: TurnStats; traceId: string | null }) {
  const controller = useActions();
  const id = traceId ?? stats.trace_id;
  const grafana = id ? controller.traceLink(id) : null;
  return (
    <div className="stats" data-testid="stats-line" aria-label="Answer statistics">
      {statParts(stats).map((part) => (
        <span key={part.key} className="stat" data-stat={part.key} data-value={part.value} title={part.title}>
          {part.text}
        </span>
      ))}
      {id &&
        (grafana ? (
          <a className="stat stat-link" href={grafana} target="_blank" rel="noopener noreferrer" data-testid="trace-link" title="Open this turn's trace in Grafana Explore (Tempo)">
            Trace ↗
          </a>
        ) : (
          <button type="button" className="stat stat-link" data-testid="trace-link" title="Show this turn's spans" onClick={() => void controller.openTraceInApp(id)}>
            Trace
          </button>
        ))}
    </div>
  );
}
