import type uPlot from 'uplot';
import { useActions } from '../../shared/context';
import type { LiveMetrics } from '../../shared/live/live-metrics';
import { ContextBar } from '../models/ContextBar';
import { Gauge } from '../../shared/live/Gauge';
import { LiveChart } from '../../shared/live/LiveChart';
import { AlertsList } from './AlertsList';
import { DashboardButtons } from './DashboardButtons';
import { HealthStrip } from './HealthStrip';
import { TraceView } from './TraceView';

const readRecent = (m: LiveMetrics): uPlot.AlignedData => [m.recent.time.toArray() as number[], m.recent.ttft.toArray(), m.recent.tps.toArray()];
const readCurrent = (m: LiveMetrics): uPlot.AlignedData => [m.current.elapsed.toArray() as number[], m.current.tps.toArray()];

export function ObservabilityView() {
  const { live } = useActions();
  return (
    <div className="view observability" data-testid="observability-view">
      <section className="card" aria-label="Health">
        <header className="card-header">
          <h2>Health</h2>
        </header>
        <HealthStrip detailed />
        <DashboardButtons />
      </section>
      <section className="card" aria-label="Performance">
        <header className="card-header">
          <h2>Performance</h2>
        </header>
        <div className="perf-grid">
          <div className="gauges">
            <Gauge metrics={live} label="Time to first token" unit="s" testId="obs-gauge-ttft" pick={(s) => s.ttftS} max={2} digits={2} />
            <Gauge metrics={live} label="Tokens per second" unit="tok/s" testId="obs-gauge-tps" pick={(s) => s.tokensPerSecond} max={50} digits={1} />
            <ContextBar />
          </div>
          <LiveChart
            metrics={live}
            read={readRecent}
            time
            title="Recent turns: TTFT and tokens/s"
            testId="chart-recent"
            series={[
              { label: 'TTFT', stroke: '#d9822b', scale: 's', unit: 's', emptyMax: 2 },
              { label: 'tok/s', stroke: '#2f6feb', scale: 'tps', unit: 'tok/s', emptyMax: 50 },
            ]}
            emptyText="No data yet: each finished answer adds a point"
          />
          <LiveChart metrics={live} read={readCurrent} time={false} title="Token rate in the current answer" testId="chart-current-obs" series={[{ label: 'tok/s', stroke: '#2f6feb', unit: 'tok/s', emptyMax: 50 }]} emptyText="No data yet: the rate appears while an answer streams" />
        </div>
      </section>
      <AlertsList />
      <TraceView />
    </div>
  );
}
