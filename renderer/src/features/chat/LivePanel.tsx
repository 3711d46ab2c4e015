import type uPlot from 'uplot';
import { useActions } from '../../shared/context';
import type { LiveMetrics } from '../../shared/live/live-metrics';
import { ContextBar } from '../models/ContextBar';
import { Gauge } from '../../shared/live/Gauge';
import { LiveChart } from '../../shared/live/LiveChart';

const readCurrent = (m: LiveMetrics): uPlot.AlignedData => [m.current.elapsed.toArray() as number[], m.current.tps.toArray()];

/** Beside the chat: live TTFT and tokens/s while the answer streams, the rate inside it, context use. */
export function LivePanel() {
  const { live } = useActions();
  return (
    <aside className="live-panel" aria-label="Live metrics" data-testid="live-panel">
      <h2 className="panel-title">Live</h2>
      <div className="gauges">
        <Gauge metrics={live} label="Time to first token" unit="s" testId="gauge-ttft" pick={(s) => s.ttftS} max={2} digits={2} />
        <Gauge metrics={live} label="Tokens per second" unit="tok/s" testId="gauge-tps" pick={(s) => s.tokensPerSecond} max={50} digits={1} />
      </div>
      <ContextBar />
      <LiveChart
        metrics={live}
        read={readCurrent}
        time={false}
        title="Token rate in this answer"
        testId="chart-current"
        series={[{ label: 'tok/s', stroke: '#2f6feb', unit: 'tok/s', emptyMax: 50 }]}
        height={140}
        emptyText="No data yet: the rate appears while an answer streams"
      />
    </aside>
  );
}
