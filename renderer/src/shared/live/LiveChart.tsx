import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { axisLabels, formatValue, xRange, yRange } from './chart-scales';
import { drawOnFrames, type LiveMetrics } from './live-metrics';

/** What a chart draws from: it says when something changed (the live metrics, a change signal). */
export interface ChartSource {
  subscribe(listener: () => void): () => void;
}

export interface LiveChartProps<S extends ChartSource = LiveMetrics> {
  metrics: S;
  /** Reads the source into uPlot's columns (x first). Called at most once a frame. */
  read: (metrics: S) => uPlot.AlignedData;
  /**
   * `emptyMax`: the top of the y axis while there is nothing to draw (a sensible fixed range);
   * `max`: a fixed top whatever the data (a score from 0 to 1).
   */
  series: { label: string; stroke: string; scale?: string; unit: string; emptyMax?: number; max?: number }[];
  /** true: x is epoch seconds; false: x is plain seconds (elapsed). */
  time: boolean;
  title: string;
  testId: string;
  height?: number;
  /** Shown over the chart while it has no points. */
  emptyText?: string;
}

/**
 * A uPlot chart created once per mount and fed with setData on animation frames when the live
 * metrics change; React never re-renders it for new data. `data-points` mirrors the number of
 * x values drawn (tests and screen readers get a number instead of a canvas). Ranges and tick
 * labels come from chart-scales.ts: an empty chart says so over a fixed range, one point gets a
 * window that fits what the axis measures, and each axis has one number format and its unit.
 */
export function LiveChart<S extends ChartSource = LiveMetrics>({ metrics, read, series, time, title, testId, height = 160, emptyText = 'No data yet' }: LiveChartProps<S>) {
  const hostRef = useRef<HTMLDivElement>(null);
  const emptyRef = useRef<HTMLParagraphElement>(null);
  // The chart is created once; the props it needs are read through refs.
  const readRef = useRef(read);
  readRef.current = read;

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const css = getComputedStyle(document.documentElement);
    const axisColor = css.getPropertyValue('--muted').trim() || '#888';
    const gridColor = css.getPropertyValue('--border').trim() || '#ddd';
    const scales = [...new Set(series.map((s) => s.scale ?? 'y'))];
    // The labels each axis drew last, mirrored into data-ticks-* on draw (the canvas has no text to read).
    const drawnTicks = new Map<string, string[]>();
    const recordTicks = (scale: string, labels: string[]) => {
      drawnTicks.set(scale, labels);
      return labels;
    };
    const unitOf = (scale: string) => series.find((s) => (s.scale ?? 'y') === scale)?.unit ?? '';
    const emptyMaxOf = (scale: string) => Math.max(...series.filter((s) => (s.scale ?? 'y') === scale).map((s) => s.emptyMax ?? 1));
    const fixedMaxOf = (scale: string) => series.find((s) => (s.scale ?? 'y') === scale && s.max !== undefined)?.max;
    const axis = (scale: string, side: 0 | 1 | 2 | 3): uPlot.Axis => ({
      scale,
      side,
      stroke: axisColor,
      grid: { stroke: gridColor, width: side === 3 ? 1 : 0 },
      ticks: { stroke: gridColor, width: 1 },
      size: 40,
      // The unit is the axis label; ticks share one format so "100" never sits beside "0.00".
      label: unitOf(scale),
      labelSize: 18,
      labelFont: '11px system-ui, sans-serif',
      font: '11px system-ui, sans-serif',
      values: (_u, splits) => recordTicks(scale, axisLabels(splits)),
    });
    const opts: uPlot.Options = {
      width: Math.max(200, host.clientWidth),
      height,
      title: undefined,
      scales: {
        x: { time, range: (_u: uPlot, min: number | null, max: number | null) => xRange(time ? 'time' : 'elapsed', min, max, Date.now() / 1000) as uPlot.Range.MinMax },
        ...Object.fromEntries(
          scales.map((s) => {
            const fixed = fixedMaxOf(s);
            return [s, { auto: true, range: (_u: uPlot, _min: number | null, max: number | null) => (fixed !== undefined ? [0, fixed] : yRange(max, emptyMaxOf(s))) as uPlot.Range.MinMax }];
          }),
        ),
      },
      axes: [
        {
          stroke: axisColor,
          grid: { stroke: gridColor, width: 1 },
          ticks: { stroke: gridColor, width: 1 },
          font: '11px system-ui, sans-serif',
          // A wall-clock tick's label is two lines wide ("3:10am" over "12/7/26"): uPlot's default
          // spacing puts 30 s ticks on a wide chart and the date of the first runs into the next.
          ...(time ? { space: 100 } : { values: (_u: uPlot, splits: number[]) => recordTicks('x', axisLabels(splits, 's')) }),
        },
        ...scales.map((s, i) => axis(s, i === 0 ? 3 : 1)),
      ],
      series: [{ label: time ? 'time' : 'elapsed' }, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, scale: s.scale ?? 'y', points: { show: time }, spanGaps: true, value: (_u: uPlot, v: number | null) => formatValue(v, s.unit) }))],
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      hooks: {
        draw: [
          (u) => {
            host.dataset.xMin = String(u.scales.x?.min ?? '');
            host.dataset.xMax = String(u.scales.x?.max ?? '');
            for (const [scale, labels] of drawnTicks) host.dataset[`ticks${scale[0]!.toUpperCase()}${scale.slice(1)}`] = labels.filter(Boolean).join('|');
          },
        ],
      },
    };
    const initial = readRef.current(metrics);
    const chart = new uPlot(opts, initial, host);
    const draw = () => {
      const data = readRef.current(metrics);
      chart.setData(data);
      const xs = data[0];
      const first = xs.length ? xs[0]! : null;
      const last = xs.length ? xs[xs.length - 1]! : null;
      if (first === last) {
        // With no data or one x value uPlot skips the range function (a time scale then spans
        // days or years): set the range here.
        const [min, max] = xRange(time ? 'time' : 'elapsed', first, last, Date.now() / 1000);
        chart.setScale('x', { min, max });
      }
      host.dataset.points = String(data[0].length);
      if (emptyRef.current) emptyRef.current.hidden = data[0].length > 0;
    };
    const stop = drawOnFrames(metrics, draw);
    const resize = new ResizeObserver(() => {
      const w = Math.max(200, host.clientWidth);
      if (w !== chart.width) chart.setSize({ width: w, height });
    });
    resize.observe(host);
    return () => {
      stop();
      resize.disconnect();
      chart.destroy();
    };
    // Created once per mount on purpose (only `metrics` is a dependency): data arrives through setData.
  }, [metrics]);

  return (
    <figure className="chart">
      <figcaption className="chart-title">{title}</figcaption>
      <div className="chart-frame">
        <div ref={hostRef} className="chart-host" data-testid={testId} data-points="0" role="img" aria-label={title} />
        <p ref={emptyRef} className="chart-empty muted" data-testid={`${testId}-empty`} style={{ height }}>
          {emptyText}
        </p>
      </div>
    </figure>
  );
}
